//! `coupon-engine`: drives the engine from the shell.
//!
//! ```text
//! coupon-engine evaluate request.json            # result JSON on stdout
//! coupon-engine evaluate < request.json          # the request on stdin (or `evaluate -`)
//! coupon-engine evaluate --bundle b.json --customer c.json --cart cart.json --context ctx.json
//! coupon-engine cards examples/*.json            # the cards, for people
//! coupon-engine recheck request.json claimed.json  # accepted, or the differences
//! coupon-engine keygen --kid 2026-11 --out key.jwk  # private key to a file, public JWKS on stdout
//! coupon-engine sign --key key.jwk --bundle bundle.json --ttl 3600 > bundle.jws
//! coupon-engine sign --key key.jwk --customer customer.json --ttl 900 > summary.jws
//! coupon-engine verify --jwks jwks.json bundle.jws  # the verified payload as JSON
//! coupon-engine codes --bundle bundle.json --coupon xmas --count 5000 > codes.txt
//! ```
//! Input errors print as JSON (`{"code","path","message"}`) on stderr, exit status 2;
//! a file that cannot be read is `file_not_found` or `io_error`, with the file as the path.
//! `cards`, the command for people, says the same as a line of text naming the file,
//! goes on with the other files, and exits with status 2 at the end.
//! A reader that closes the output early (`| head`) ends the command quietly, status 0.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use coupon_engine::json::{to_json, ToJson};
use coupon_engine::model::{CardStatus, EvaluationResult, Timestamp};
use coupon_engine::signing::{self, Jwk, Jwks};
use coupon_engine::{read_json, Engine, Error, ErrorCode, Request};

#[derive(Parser)]
#[command(
    name = "coupon-engine",
    version,
    about = "Evaluate purchase-driven coupons for a cart"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate one request and print the result as JSON. With no file, or `-`, the
    /// request is read from standard input.
    Evaluate {
        #[command(flatten)]
        input: Input,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
    },
    /// Evaluate request files and print their cards as text. A bad file is named on
    /// stderr and skipped; the exit status is then 2.
    Cards {
        /// Request files ({bundle, customer, cart, context}); `-` for standard input.
        #[arg(required = true)]
        requests: Vec<PathBuf>,
    },
    /// Recheck a claimed result against a request: prints {accepted, differences, result}; exit 1 when rejected.
    Recheck {
        /// The request ({bundle, customer, cart, context}) with the server's current data.
        request: PathBuf,
        /// The result the shopper's device claims.
        claimed: PathBuf,
    },
    /// Generate unique single-use codes for a coupon with a `codeBatch`, one per line,
    /// from this machine's secure random generator. Give the order server the list;
    /// the bundle stays as it is.
    Codes {
        /// The bundle that holds the coupon.
        #[arg(long)]
        bundle: PathBuf,
        /// The coupon's id.
        #[arg(long)]
        coupon: String,
        /// How many codes (1 to 1,000,000).
        #[arg(long)]
        count: u32,
    },
    /// Make an Ed25519 signing key: the private JWK goes to --out, the public JWKS to stdout.
    Keygen {
        /// Key id (the `kid` in token headers and the JWKS).
        #[arg(long)]
        kid: String,
        /// Where to write the private key (created with mode 0600 on Unix).
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a coupon bundle or a customer summary as a compact JWS. A bundle's
    /// `timeZone` gets the offsets of its name from this machine's time zone database.
    Sign {
        /// The private JWK (from keygen).
        #[arg(long)]
        key: PathBuf,
        /// A coupon bundle to sign.
        #[arg(
            long,
            conflicts_with = "customer",
            required_unless_present = "customer"
        )]
        bundle: Option<PathBuf>,
        /// A customer summary to sign (bound to its id through `sub`).
        #[arg(long)]
        customer: Option<PathBuf>,
        /// Seconds until it expires.
        #[arg(long, default_value_t = 3600)]
        ttl: i64,
        /// Issue time (RFC 3339); default: this machine's clock.
        #[arg(long)]
        now: Option<String>,
    },
    /// Verify a signed bundle or summary and print its payload.
    Verify {
        /// The JWKS of verification keys.
        #[arg(long)]
        jwks: PathBuf,
        /// The token file, or - for stdin.
        token: PathBuf,
        /// For a summary: the customer it must belong to.
        #[arg(long)]
        customer_id: Option<String>,
        /// The instant to verify at (RFC 3339); default: this machine's clock.
        #[arg(long)]
        now: Option<String>,
    },
}

#[derive(Args)]
struct Input {
    /// A request file holding {bundle, customer, cart, context}; `-` or nothing for
    /// standard input.
    request: Option<PathBuf>,
    /// The coupon bundle (instead of a request file).
    #[arg(long, requires_all = ["customer", "cart", "context"], conflicts_with = "request")]
    bundle: Option<PathBuf>,
    /// The customer summary.
    #[arg(long)]
    customer: Option<PathBuf>,
    /// The cart.
    #[arg(long)]
    cart: Option<PathBuf>,
    /// The context (now, payment method, codes).
    #[arg(long)]
    context: Option<PathBuf>,
}

/// What the CLI reports on stderr: an engine error as it is, or a file that cannot be
/// read, which has codes of its own because the engine never reads files.
#[derive(ToJson)]
struct Report {
    /// The engine's [`ErrorCode`], or `file_not_found` / `io_error`.
    code: &'static str,
    /// The field's path in the input, or the file for a file that cannot be read.
    path: String,
    /// English explanation.
    message: String,
}

impl From<Error> for Report {
    fn from(e: Error) -> Self {
        Report {
            code: e.code.as_str(),
            path: e.path,
            message: e.message,
        }
    }
}

impl Report {
    /// A file that cannot be read or written: `file_not_found` when it does not exist
    /// (usually a typo in the name), `io_error` otherwise.
    fn io(path: &Path, action: &str, e: &io::Error) -> Self {
        let code = if e.kind() == io::ErrorKind::NotFound {
            "file_not_found"
        } else {
            "io_error"
        };
        Report {
            code,
            path: shown(path),
            message: format!("cannot {action}: {e}"),
        }
    }

    /// The report as a line for people: `bad.json: cart.lines[0].quantity: must be at
    /// least 1 (invalid_quantity)`.
    fn text(&self, file: &Path) -> String {
        let file = shown(file);
        if self.path.is_empty() || self.path == file {
            format!("{file}: {} ({})", self.message, self.code)
        } else {
            format!("{file}: {}: {} ({})", self.path, self.message, self.code)
        }
    }
}

/// A file as messages name it; `-` is standard input.
fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "stdin".to_string()
    } else {
        path.display().to_string()
    }
}

/// The text of an input file, or of standard input for `-`.
fn load(path: &Path) -> Result<String, Report> {
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Report::io(path, "read", &e))?;
        bytes
    } else {
        std::fs::read(path).map_err(|e| Report::io(path, "read", &e))?
    };
    String::from_utf8(bytes).map_err(|_| Report {
        code: ErrorCode::InvalidJson.as_str(),
        path: shown(path),
        message: "not UTF-8 text".to_string(),
    })
}

fn request(input: &Input) -> Result<Request, Report> {
    match (
        &input.request,
        &input.bundle,
        &input.customer,
        &input.cart,
        &input.context,
    ) {
        (Some(path), ..) => Ok(read_json("", &load(path)?)?),
        (None, Some(b), Some(cu), Some(ca), Some(cx)) => Ok(Request {
            description: None,
            bundle: read_json("bundle", &load(b)?)?,
            customer: read_json("customer", &load(cu)?)?,
            cart: read_json("cart", &load(ca)?)?,
            context: read_json("context", &load(cx)?)?,
        }),
        // Waiting for a request typed at a terminal would look like a hang.
        (None, None, ..) if !io::stdin().is_terminal() => {
            Ok(read_json("", &load(Path::new("-"))?)?)
        }
        _ => Err(Error::new(
            ErrorCode::MissingField,
            "request",
            "give a request file (- or a pipe for standard input), or --bundle, --customer, --cart and --context",
        )
        .into()),
    }
}

/// Why a command stopped before the end.
enum Failure {
    /// Bad input (or a file it cannot read or write): JSON on stderr, exit status 2.
    Input(Report),
    /// Standard output's reader has gone (`| head` read what it wanted).
    Closed,
    /// Standard output failed otherwise (a full disk, say).
    Output(io::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Input(e.into())
    }
}

impl From<Report> for Failure {
    fn from(e: Report) -> Self {
        Failure::Input(e)
    }
}

/// Every write to standard output goes through `?` into this: Rust ignores SIGPIPE,
/// so a closed pipe arrives as a `BrokenPipe` error, which `println!` would turn into
/// a panic.
impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Output(e)
        }
    }
}

fn print_cards(out: &mut impl Write, path: &Path, result: &EvaluationResult) -> io::Result<()> {
    let currency = result.currency;
    let format = |amount| currency.format(currency.money(amount));
    writeln!(out, "── {} ──", shown(path))?;
    let shipping_off = if result.shipping_discount.is_zero() {
        String::new()
    } else {
        format!(" (−{})", format(result.shipping_discount))
    };
    writeln!(
        out,
        "   subtotal {}  shipping {}{shipping_off}  discount {}  total {}",
        format(result.subtotal),
        format(result.shipping),
        format(result.discount_total),
        format(result.total_after)
    )?;
    if let Some(tax) = &result.tax {
        writeln!(
            out,
            "   lines without tax {}  tax {}  with tax {}",
            format(tax.total_ex_tax),
            format(tax.tax),
            format(tax.total_with_tax)
        )?;
    }
    for card in &result.cards {
        let mark = match card.status {
            CardStatus::Applied => "✔ applied   ",
            CardStatus::Available => "○ available ",
            CardStatus::Locked => "🔒 locked    ",
            CardStatus::Ineligible => "✖ ineligible",
            CardStatus::Expired => "⌛ expired   ",
            CardStatus::Exhausted => "∅ exhausted ",
        };
        let saving = card
            .saving
            .map(|s| format!("  saves {}", format(s)))
            .unwrap_or_default();
        let code = card
            .code
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        writeln!(out, "   {mark}  {}{code}{saving}", card.title)?;
        for reason in &card.reasons {
            writeln!(out, "                   · {}", reason.message)?;
        }
        for p in &card.progress {
            writeln!(
                out,
                "                   ▸ {} ({}% of the way)",
                p.message, p.percent
            )?;
        }
        if let Some(expiry) = card.expires_at {
            writeln!(out, "                   ⏱ until {expiry}")?;
        }
    }
    for (i, gift) in result.gifts_to_add.iter().enumerate() {
        // A coupon's further entries are other choices of the same gift.
        let choice = i > 0 && result.gifts_to_add[i - 1].coupon_id == gift.coupon_id;
        writeln!(
            out,
            "   + {}: {} × {} (free with {})",
            if choice { "or add" } else { "add to cart" },
            gift.product_id,
            gift.quantity,
            gift.coupon_id
        )?;
    }
    for unknown in &result.unknown_codes {
        writeln!(out, "   ? {}", unknown.message)?;
    }
    writeln!(out)
}

/// `--now`, or this machine's clock: the CLI is an edge of the system, where reading
/// the clock belongs; the engine itself never does.
/// Fills in the offsets of the bundle's time zone from this machine's time zone
/// database, over the span a bundle issued at `iat` and expiring at `exp` (seconds
/// since 1970) needs: the signer is where the zone's rules are known.
fn zone_offsets(
    bundle: &mut coupon_engine::model::Bundle,
    iat: i64,
    exp: i64,
) -> Result<(), Error> {
    let Some(zone) = &mut bundle.time_zone else {
        return Ok(());
    };
    let (from, until) = coupon_engine::schedule::offsets_span(iat, exp);
    let unknown = |m: String| Error::new(ErrorCode::InvalidValue, "bundle.timeZone.name", m);
    let changes = zone_offsets::offsets(&zone.name, from, until).map_err(unknown)?;
    *zone = coupon_engine::model::TimeZone::with_offsets(&zone.name, changes)
        .ok_or_else(|| unknown(format!("time zone {:?}: offsets out of range", zone.name)))?;
    Ok(())
}

fn instant(now: Option<&str>) -> Result<Timestamp, Error> {
    match now {
        Some(text) => {
            Timestamp::parse(text).map_err(|m| Error::new(ErrorCode::InvalidDate, "--now", m))
        }
        None => {
            let seconds = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
            chrono::DateTime::from_timestamp(seconds, 0)
                .map(|t| Timestamp(t.fixed_offset()))
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidDate,
                        "clock",
                        "the system clock is out of range",
                    )
                })
        }
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), Report> {
    let io = |e: std::io::Error| Report::io(path, "write", &e);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io)
}

/// `value` as the core's writer writes it, indented.
fn json_text(value: &impl ToJson) -> Result<String, Error> {
    indented(&to_json(value))
}

/// What `sign` signs: the times, and the bundle or the customer (with its id as `sub`).
#[derive(ToJson)]
struct Claims<'a> {
    iat: i64,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bundle: Option<&'a coupon_engine::model::Bundle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer: Option<&'a coupon_engine::model::Customer>,
}

/// What `verify` prints: the verified bundle or customer summary.
#[derive(ToJson)]
struct Verified<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    bundle: Option<&'a coupon_engine::model::Bundle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer: Option<&'a coupon_engine::model::Customer>,
}

/// `json` indented by two spaces per level, its keys and values as they are.
fn indented(json: &str) -> Result<String, Error> {
    let mut text = Vec::with_capacity(json.len() * 2);
    let mut reader = serde_json::Deserializer::from_str(json);
    serde_transcode::transcode(&mut reader, &mut serde_json::Serializer::pretty(&mut text))
        .map_err(|e| Error::new(ErrorCode::InvalidValue, "result", e.to_string()))?;
    String::from_utf8(text)
        .map_err(|e| Error::new(ErrorCode::InvalidValue, "result", e.to_string()))
}

/// `count` distinct new codes of the batch of coupon `id`.
fn batch_codes(
    bundle: &coupon_engine::model::Bundle,
    id: &str,
    count: u32,
) -> Result<Vec<String>, Error> {
    let (i, coupon) = bundle
        .coupons
        .iter()
        .enumerate()
        .find(|(_, c)| c.id == id)
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidValue,
                "coupon",
                format!("no coupon {id} in the bundle"),
            )
        })?;
    let batch = coupon.code_batch.as_ref().ok_or_else(|| {
        Error::new(
            ErrorCode::MissingField,
            format!("bundle.coupons[{i}].codeBatch"),
            format!("coupon {id} has no codeBatch"),
        )
    })?;
    if !(1..=1_000_000).contains(&count) {
        return Err(Error::new(
            ErrorCode::OutOfRange,
            "count",
            "must be 1 to 1,000,000",
        ));
    }
    // A batch too short for the count would loop on duplicates: ask for a million
    // times more codes than wanted, so a guessed code is one in a million.
    // In whole numbers: past 128 bits the space is large enough for any count.
    let space = 31u128.checked_pow(batch.length).unwrap_or(u128::MAX);
    if space < u128::from(count) * 1_000_000 {
        return Err(Error::new(
            ErrorCode::OutOfRange,
            format!("bundle.coupons[{i}].codeBatch.length"),
            format!(
                "{} random characters are too few for {count} codes that cannot be guessed",
                batch.length
            ),
        ));
    }
    let failed = std::cell::Cell::new(None);
    let mut fill = |bytes: &mut [u8]| {
        if let Err(e) = getrandom::fill(bytes) {
            failed.set(Some(e));
        }
    };
    let batch = batch.batch();
    let mut seen = std::collections::HashSet::with_capacity(count as usize);
    let mut codes = Vec::with_capacity(count as usize);
    while codes.len() < count as usize {
        let code = batch.generate(&mut fill);
        if let Some(e) = failed.get() {
            return Err(Error::new(
                ErrorCode::InvalidValue,
                "codes",
                format!("no randomness: {e}"),
            ));
        }
        if seen.insert(code.clone()) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// Runs one command, writing its output to `out`; the exit status on success.
fn run(cli: Cli, out: &mut impl Write) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Recheck { request, claimed } => {
            let request: Request = read_json("", &load(&request)?)?;
            let claim: coupon_engine::recheck::Claim = read_json("claim", &load(&claimed)?)?;
            let engine = Engine::new(request.bundle)?;
            let outcome =
                engine.recheck(&request.customer, &request.cart, &request.context, &claim)?;
            writeln!(out, "{}", json_text(&outcome)?)?;
            if !outcome.accepted {
                // 1 = a valid claim that was rejected; 2 stays for bad input.
                return Ok(ExitCode::from(1));
            }
        }
        Command::Codes {
            bundle,
            coupon,
            count,
        } => {
            let bundle: coupon_engine::model::Bundle = read_json("bundle", &load(&bundle)?)?;
            let engine = Engine::new(bundle)?;
            for code in batch_codes(engine.bundle(), &coupon, count)? {
                writeln!(out, "{code}")?;
            }
        }
        Command::Keygen { kid, out: key_file } => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| {
                Error::new(
                    ErrorCode::InvalidKey,
                    "keygen",
                    format!("no randomness: {e}"),
                )
            })?;
            let key = Jwk::from_seed(seed, &kid);
            write_private(&key_file, &(json_text(&key)? + "\n"))?;
            writeln!(
                out,
                "{}",
                json_text(&Jwks {
                    keys: vec![key.public()]
                })?
            )?;
        }
        Command::Sign {
            key,
            bundle,
            customer,
            ttl,
            now,
        } => {
            let key: Jwk = read_json("key", &load(&key)?)?;
            let iat = instant(now.as_deref())?.0.timestamp();
            let (mut parsed_bundle, mut parsed_customer) = (None, None);
            if let Some(path) = bundle {
                // Checked before signing: a bad bundle is better caught here than in every browser.
                let mut parsed: coupon_engine::model::Bundle = read_json("bundle", &load(&path)?)?;
                zone_offsets(&mut parsed, iat, iat + ttl)?;
                Engine::new(parsed.clone())?;
                parsed_bundle = Some(parsed);
            } else if let Some(path) = customer {
                parsed_customer = Some(read_json::<coupon_engine::model::Customer>(
                    "customer",
                    &load(&path)?,
                )?);
            }
            let claims = Claims {
                iat,
                exp: iat + ttl,
                sub: parsed_customer.as_ref().map(|c| c.id.as_str()),
                bundle: parsed_bundle.as_ref(),
                customer: parsed_customer.as_ref(),
            };
            writeln!(out, "{}", signing::sign(&claims, &key)?)?;
        }
        Command::Verify {
            jwks,
            token,
            customer_id,
            now,
        } => {
            let jwks: Jwks = read_json("jwks", &load(&jwks)?)?;
            let token = load(&token)?;
            let now = instant(now.as_deref())?;
            if signing::holds_summary(&token) {
                let customer = signing::verify_summary(&token, &jwks, now, customer_id.as_deref())?;
                let payload = Verified {
                    bundle: None,
                    customer: Some(&customer),
                };
                writeln!(out, "{}", json_text(&payload)?)?;
            } else {
                let engine = Engine::new(signing::verify_bundle(&token, &jwks, now)?)?;
                let payload = Verified {
                    bundle: Some(engine.bundle()),
                    customer: None,
                };
                writeln!(out, "{}", json_text(&payload)?)?;
            }
        }
        Command::Evaluate { input, pretty } => {
            // The core's own writer, so the CLI prints the bytes that every runtime
            // returns; `--pretty` only indents them.
            let json = to_json(&request(&input)?.evaluate()?);
            if pretty {
                writeln!(out, "{}", indented(&json)?)?;
            } else {
                writeln!(out, "{json}")?;
            }
        }
        Command::Cards { requests } => {
            let mut failed = false;
            for path in requests {
                let result = load(&path).and_then(|text| {
                    let request: Request = read_json("", &text)?;
                    Ok(request.evaluate()?)
                });
                match result {
                    Ok(result) => print_cards(out, &path, &result)?,
                    Err(e) => {
                        // The cards printed so far come first, as they would unbuffered.
                        out.flush()?;
                        say(&format!("coupon-engine: {}", e.text(&path)));
                        failed = true;
                    }
                }
            }
            if failed {
                return Ok(ExitCode::from(2));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An error as JSON on stderr.
fn report(e: &Report) {
    say(&to_json(e));
}

/// A line on stderr. A failed write is ignored: with stderr gone too there is nowhere
/// left to say anything, and `eprintln!` would panic instead.
fn say(line: &str) {
    let _ = writeln!(io::stderr(), "{line}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let outcome = run(cli, &mut out).and_then(|status| {
        out.flush()?;
        Ok(status)
    });
    match outcome {
        Ok(status) => status,
        // Status 0, not the status of a process killed by SIGPIPE: the reader stopped
        // because it had what it wanted, and under `set -o pipefail` a script piping
        // into `head` would otherwise fail for it. ripgrep ends the same way.
        Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            // What was printed before the error comes first, as it would unbuffered;
            // a reader already gone changes nothing here.
            let _ = out.flush();
            report(&e);
            ExitCode::from(2)
        }
        Err(Failure::Output(e)) => {
            report(&Report::io(Path::new("stdout"), "write", &e));
            ExitCode::from(2)
        }
    }
}
