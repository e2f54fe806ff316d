//! `coupon-engine`: drives the engine from the shell.
//!
//! ```text
//! coupon-engine evaluate request.json            # result JSON on stdout
//! coupon-engine evaluate --bundle b.json --customer c.json --cart cart.json --context ctx.json
//! coupon-engine cards examples/*.json            # the cards, for people
//! ```
//! Input errors print as JSON (`{"code","path","message"}`) on stderr, exit status 2.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use coupon_engine::model::{CardStatus, EvaluationResult};
use coupon_engine::{read_json, Engine, Error, ErrorCode, Request};

#[derive(Parser)]
#[command(name = "coupon-engine", version, about = "Evaluate purchase-driven coupons for a cart")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate one request and print the result as JSON.
    Evaluate {
        #[command(flatten)]
        input: Input,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
    },
    /// Evaluate request files and print their cards as text.
    Cards {
        /// Request files ({bundle, customer, cart, context}).
        #[arg(required = true)]
        requests: Vec<PathBuf>,
    },
}

#[derive(Args)]
struct Input {
    /// A request file holding {bundle, customer, cart, context}.
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

fn load(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::new(ErrorCode::InvalidJson, path.display().to_string(), format!("cannot read: {e}")))
}

fn request(input: &Input) -> Result<Request, Error> {
    match (&input.request, &input.bundle, &input.customer, &input.cart, &input.context) {
        (Some(path), ..) => read_json("", &load(path)?),
        (None, Some(b), Some(cu), Some(ca), Some(cx)) => Ok(Request {
            description: None,
            bundle: read_json("bundle", &load(b)?)?,
            customer: read_json("customer", &load(cu)?)?,
            cart: read_json("cart", &load(ca)?)?,
            context: read_json("context", &load(cx)?)?,
        }),
        _ => Err(Error::new(ErrorCode::MissingField, "request", "give a request file, or --bundle, --customer, --cart and --context")),
    }
}

fn evaluate(request: &Request) -> Result<EvaluationResult, Error> {
    Engine::new(request.bundle.clone())?.evaluate(&request.customer, &request.cart, &request.context)
}

fn print_cards(path: &Path, result: &EvaluationResult) {
    let currency = result.currency;
    println!("── {} ──", path.display());
    let shipping_off = if result.shipping_discount.0.is_zero() {
        String::new()
    } else {
        format!(" (−{})", currency.format(result.shipping_discount.0))
    };
    println!(
        "   subtotal {}  shipping {}{shipping_off}  discount {}  total {}",
        currency.format(result.subtotal.0),
        currency.format(result.shipping.0),
        currency.format(result.discount_total.0),
        currency.format(result.total_after.0)
    );
    for card in &result.cards {
        let mark = match card.status {
            CardStatus::Applied => "✔ applied   ",
            CardStatus::Available => "○ available ",
            CardStatus::Locked => "🔒 locked    ",
            CardStatus::Ineligible => "✖ ineligible",
            CardStatus::Expired => "⌛ expired   ",
            CardStatus::Exhausted => "∅ exhausted ",
        };
        let saving = card.saving.map(|s| format!("  saves {}", currency.format(s.0))).unwrap_or_default();
        let code = card.code.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
        println!("   {mark}  {}{code}{saving}", card.title);
        for reason in &card.reasons {
            println!("                   · {}", reason.message);
        }
        for p in &card.progress {
            println!("                   ▸ {} ({}% of the way)", p.message, p.percent);
        }
        if let Some(expiry) = card.expires_at {
            println!("                   ⏱ until {expiry}");
        }
    }
    for gift in &result.gifts_to_add {
        println!("   + add to cart: {} × {} (free with {})", gift.product_id, gift.quantity, gift.coupon_id);
    }
    for unknown in &result.unknown_codes {
        println!("   ? {}", unknown.message);
    }
    println!();
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Evaluate { input, pretty } => {
            let result = evaluate(&request(&input)?)?;
            let json = if pretty { serde_json::to_string_pretty(&result) } else { serde_json::to_string(&result) };
            println!("{}", json.map_err(|e| Error::new(ErrorCode::InvalidValue, "result", e.to_string()))?);
        }
        Command::Cards { requests } => {
            for path in requests {
                let request: Request = read_json("", &load(&path)?)?;
                print_cards(&path, &evaluate(&request)?);
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", serde_json::to_string(&e).unwrap_or_else(|_| e.to_string()));
            ExitCode::from(2)
        }
    }
}
