//! `#[derive(FromJson, ToJson)]` for the structs of coupon-engine's JSON layer
//! (`coupon_engine::json`), so that each struct is declared once: the JSON names and
//! defaults come from the serde attributes the struct already carries for its
//! `Serialize` derive and its TypeScript type (`#[serde(rename_all = "camelCase")]`,
//! `#[serde(rename = "…")]`, `#[serde(default)]`, `#[serde(default = "path")]`), never
//! from a second list.
//!
//! The code generated is what the hand-written declarations expanded to
//! (`from_json_struct!`, and a writer that appends each member in declaration order),
//! so reading and writing, the module's size and its instruction counts stay as they
//! were. `#[json(lenient)]` on a struct ignores unknown members (token claims, the
//! claimed result); without it they are refused. Both derives accept `#[serde(…)]`
//! themselves, so a struct that derives no serde trait (an embedder's request type)
//! still states its names there.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Fields, LitStr, Type};

/// One field as the JSON layer sees it.
struct Field {
    ident: syn::Ident,
    name: String,
    /// The value when the member is absent, for fields that are not `Option`s.
    default: Option<Tokens>,
}

/// The container's settings.
struct Container {
    lenient: bool,
    fields: Vec<Field>,
}

/// `snake_case` to `camelCase`, as serde's `rename_all = "camelCase"` does.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.trim_start_matches("r#").chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A type's default for `#[serde(default)]`: the constructor itself for the
/// collections and strings the schema defaults (`Vec::new()`), which the size build
/// (opt-level "z") does not always reach through `Default::default()`.
fn empty_of(ty: &Type) -> Tokens {
    let last = match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    match last.as_deref() {
        Some("Vec") => quote!(::std::vec::Vec::new()),
        Some("BTreeMap") => quote!(::std::collections::BTreeMap::new()),
        Some("String") => quote!(::std::string::String::new()),
        _ => quote!(::core::default::Default::default()),
    }
}

fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

fn container(input: &DeriveInput) -> syn::Result<Container> {
    let mut camel_case = false;
    let mut lenient = false;
    for attr in &input.attrs {
        if attr.path().is_ident("serde") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename_all") {
                    let rule: LitStr = meta.value()?.parse()?;
                    if rule.value() != "camelCase" {
                        return Err(meta.error("only rename_all = \"camelCase\" is supported"));
                    }
                    camel_case = true;
                } else if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            })?;
        } else if attr.path().is_ident("json") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("lenient") {
                    lenient = true;
                    Ok(())
                } else {
                    Err(meta.error("expected `lenient`"))
                }
            })?;
        }
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            Span::call_site(),
            "only structs derive FromJson and ToJson",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new(
            Span::call_site(),
            "only structs with named fields",
        ));
    };
    let mut fields = Vec::new();
    for field in &named.named {
        let ident = field.ident.clone().expect("a named field");
        let rust_name = ident.to_string();
        let mut name = if camel_case {
            camel(&rust_name)
        } else {
            rust_name
        };
        let mut default = None;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    name = meta.value()?.parse::<LitStr>()?.value();
                } else if meta.path.is_ident("default") {
                    default = Some(if meta.input.peek(syn::Token![=]) {
                        let path: syn::Path = meta.value()?.parse::<LitStr>()?.parse()?;
                        quote!(#path())
                    } else {
                        empty_of(&field.ty)
                    });
                } else if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            })?;
        }
        // An absent `Option` is `None` without a default (the layer's rule for
        // optional fields), and `null` reads as absent.
        if is_option(&field.ty) {
            default = None;
        }
        fields.push(Field {
            ident,
            name,
            default,
        });
    }
    Ok(Container { lenient, fields })
}

/// Reading: the `from_json_struct!` declaration the struct would otherwise write by
/// hand.
#[proc_macro_derive(FromJson, attributes(json, serde))]
pub fn derive_from_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, from_json).into()
}

/// The derive's output, or the errors in the struct's attributes.
fn expand(input: &DeriveInput, derive: fn(&syn::Ident, Container) -> Tokens) -> Tokens {
    match container(input) {
        Ok(container) => derive(&input.ident, container),
        Err(e) => e.to_compile_error(),
    }
}

fn from_json(ty: &syn::Ident, container: Container) -> Tokens {
    let mode = syn::Ident::new(
        if container.lenient {
            "lenient"
        } else {
            "strict"
        },
        Span::call_site(),
    );
    let members = container.fields.iter().map(|f| {
        let (ident, name) = (&f.ident, &f.name);
        match &f.default {
            Some(default) => quote!(#ident: #name = #default),
            None => quote!(#ident: #name),
        }
    });
    quote!(::coupon_engine::from_json_struct!(#mode #ty { #(#members),* });)
}

/// Writing: every member in declaration order under its JSON name, each key a
/// literal, as `to_json_struct!` wrote them.
#[proc_macro_derive(ToJson, attributes(json, serde))]
pub fn derive_to_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, to_json).into()
}

fn to_json(ty: &syn::Ident, container: Container) -> Tokens {
    let writes = container.fields.iter().enumerate().map(|(i, f)| {
        let ident = &f.ident;
        let key = format!("{}\"{}\":", if i == 0 { "{" } else { "," }, f.name);
        quote! {
            out.push_str(#key);
            ::coupon_engine::json::ToJson::write_json(&self.#ident, out);
        }
    });
    let empty = container.fields.is_empty().then(|| quote!(out.push('{');));
    quote! {
        impl ::coupon_engine::json::ToJson for #ty {
            fn write_json(&self, out: &mut ::std::string::String) {
                #(#writes)*
                #empty
                out.push('}');
            }
        }
    }
}
