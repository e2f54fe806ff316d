//! `#[derive(FromJson, ToJson)]` for the types of coupon-engine's JSON layer
//! (`coupon_engine::json`), so that each type is declared once: the JSON names,
//! defaults, left-out members and enum shapes come from the serde attributes the type
//! already carries for its TypeScript type and its optional `Serialize` derive, never
//! from a second list.
//!
//! Understood, with serde's meaning:
//! - on a container: `rename_all = "camelCase" | "snake_case"`,
//!   `rename_all_fields = "camelCase"` (an enum's struct variants), and
//!   `tag = "…", content = "…"` (an adjacently tagged enum, written only);
//! - on a variant: `rename = "…"`;
//! - on a field: `rename = "…"`, `default`, `default = "path"`,
//!   `skip_serializing_if = "path"`, `flatten` (written only).
//!
//! Enums without `tag` are externally tagged, serde's default: a variant without data
//! is its name as a string (`"entireCart"`), one with data an object with one member
//! (`{"products": ["tea"]}`, `{"percentage": {"percent": "10"}}`).
//!
//! `#[json(lenient)]` on a struct ignores unknown members (token claims, the claimed
//! result); without it they are refused. Both derives accept `#[serde(…)]` themselves,
//! so a type that derives no serde trait still states its names there. An attribute
//! the derive does not understand is a compile error rather than a silent difference
//! from serde.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Fields, Ident, LitStr, Type};

/// How a container renames its members or variants.
#[derive(Clone, Copy, PartialEq)]
enum Rename {
    None,
    Camel,
    Snake,
}

impl Rename {
    fn parse(rule: &LitStr) -> syn::Result<Self> {
        match rule.value().as_str() {
            "camelCase" => Ok(Rename::Camel),
            "snake_case" => Ok(Rename::Snake),
            _ => Err(syn::Error::new(
                rule.span(),
                "only \"camelCase\" and \"snake_case\" are supported",
            )),
        }
    }

    /// A field's (`snake_case`) or a variant's (`PascalCase`) Rust name under this rule,
    /// as serde renames it.
    fn apply(self, name: &str, variant: bool) -> String {
        let name = name.trim_start_matches("r#");
        match (self, variant) {
            (Rename::None, _) => name.to_string(),
            (Rename::Camel, false) => camel(name),
            (Rename::Camel, true) => {
                let mut chars = name.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_lowercase().chain(chars).collect()
                })
            }
            (Rename::Snake, false) => name.to_string(),
            (Rename::Snake, true) => {
                let mut out = String::new();
                for (i, c) in name.chars().enumerate() {
                    if c.is_uppercase() && i > 0 {
                        out.push('_');
                    }
                    out.extend(c.to_lowercase());
                }
                out
            }
        }
    }
}

/// `snake_case` to `camelCase`, as serde's `rename_all = "camelCase"` does.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
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

/// One field as the JSON layer sees it.
struct Field {
    ident: Ident,
    name: String,
    /// The value when the member is absent, for fields that are not `Option`s.
    default: Option<Tokens>,
    /// Left out of the written object when this predicate holds.
    skip_if: Option<syn::Path>,
    /// Written as members of the enclosing object.
    flatten: bool,
}

/// One enum variant.
struct Variant {
    ident: Ident,
    name: String,
    shape: Shape,
}

enum Shape {
    /// `Name`: a string when externally tagged, the tag alone when adjacently tagged.
    Unit,
    /// `Name(T)`.
    Newtype,
    /// `Name { fields }`.
    Struct(Vec<Field>),
}

/// The type's settings and members.
struct Container {
    ident: Ident,
    /// Lifetimes and type parameters, carried over to the impls.
    generics: syn::Generics,
    lenient: bool,
    body: Body,
}

enum Body {
    Struct(Vec<Field>),
    Enum {
        variants: Vec<Variant>,
        /// `tag` and `content`, for an adjacently tagged enum.
        tagged: Option<(String, String)>,
    },
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

/// Skips the value of a `key = value` serde setting this derive has no use for
/// (`deny_unknown_fields`, ts-rs's own keys are bare or valued alike).
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    }
    Ok(())
}

/// A JSON name the generated code writes as a literal: nothing in it may need escaping.
fn check_name(name: &str, at: &impl quote::ToTokens) -> syn::Result<()> {
    if name
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control())
    {
        return Err(syn::Error::new_spanned(
            at,
            "a JSON name without quotes, backslashes or control characters",
        ));
    }
    Ok(())
}

fn fields(named: &syn::FieldsNamed, rename: Rename) -> syn::Result<Vec<Field>> {
    let mut out = Vec::new();
    for field in &named.named {
        let ident = field.ident.clone().expect("a named field");
        let mut name = rename.apply(&ident.to_string(), false);
        let (mut default, mut skip_if, mut flatten) = (None, None, false);
        let mut default_path = false;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    name = meta.value()?.parse::<LitStr>()?.value();
                } else if meta.path.is_ident("default") {
                    default = Some(if meta.input.peek(syn::Token![=]) {
                        let path: syn::Path = meta.value()?.parse::<LitStr>()?.parse()?;
                        default_path = true;
                        quote!(#path())
                    } else {
                        empty_of(&field.ty)
                    });
                } else if meta.path.is_ident("skip_serializing_if") {
                    skip_if = Some(meta.value()?.parse::<LitStr>()?.parse()?);
                } else if meta.path.is_ident("flatten") {
                    flatten = true;
                } else {
                    return Err(meta.error("not understood by derive(FromJson, ToJson)"));
                }
                Ok(())
            })?;
        }
        // An absent `Option` is `None` without a default (the layer's rule for
        // optional fields), and `null` reads as absent; `default = "path"` still
        // gives `path()`, as serde does.
        if is_option(&field.ty) && !default_path {
            default = None;
        }
        check_name(&name, &ident)?;
        out.push(Field {
            ident,
            name,
            default,
            skip_if,
            flatten,
        });
    }
    Ok(out)
}

fn container(input: &DeriveInput) -> syn::Result<Container> {
    let (mut rename, mut rename_fields) = (Rename::None, Rename::None);
    let (mut tag, mut content, mut lenient) = (None, None, false);
    for attr in &input.attrs {
        if attr.path().is_ident("serde") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename_all") {
                    rename = Rename::parse(&meta.value()?.parse()?)?;
                } else if meta.path.is_ident("rename_all_fields") {
                    rename_fields = Rename::parse(&meta.value()?.parse()?)?;
                } else if meta.path.is_ident("tag") {
                    tag = Some(meta.value()?.parse::<LitStr>()?.value());
                } else if meta.path.is_ident("content") {
                    content = Some(meta.value()?.parse::<LitStr>()?.value());
                } else {
                    return Err(meta.error("not understood by derive(FromJson, ToJson)"));
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
    let body = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Body::Struct(fields(named, rename)?),
            _ => {
                return Err(syn::Error::new(
                    Span::call_site(),
                    "only structs with named fields",
                ))
            }
        },
        Data::Enum(data) => {
            let mut variants = Vec::new();
            for v in &data.variants {
                let mut name = rename.apply(&v.ident.to_string(), true);
                for attr in v.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                    attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("rename") {
                            name = meta.value()?.parse::<LitStr>()?.value();
                            Ok(())
                        } else {
                            skip_value(&meta)?;
                            Err(meta.error("not understood by derive(FromJson, ToJson)"))
                        }
                    })?;
                }
                check_name(&name, &v.ident)?;
                let shape = match &v.fields {
                    Fields::Unit => Shape::Unit,
                    // `Name {}` is a struct variant: `{"name": {}}`, or content `{}`.
                    Fields::Named(named) => Shape::Struct(fields(named, rename_fields)?),
                    Fields::Unnamed(one) if one.unnamed.len() == 1 => Shape::Newtype,
                    Fields::Unnamed(_) => {
                        return Err(syn::Error::new_spanned(v, "a tuple variant has one field"))
                    }
                };
                variants.push(Variant {
                    ident: v.ident.clone(),
                    name,
                    shape,
                });
            }
            if variants.is_empty() {
                return Err(syn::Error::new(
                    Span::call_site(),
                    "an enum without variants",
                ));
            }
            let tagged = match (tag, content) {
                (Some(tag), Some(content)) => Some((tag, content)),
                (None, None) => None,
                _ => {
                    return Err(syn::Error::new(
                        Span::call_site(),
                        "`tag` needs `content` (adjacent tagging only)",
                    ))
                }
            };
            Body::Enum { variants, tagged }
        }
        Data::Union(_) => return Err(syn::Error::new(Span::call_site(), "unions are not JSON")),
    };
    Ok(Container {
        ident: input.ident.clone(),
        generics: input.generics.clone(),
        lenient,
        body,
    })
}

/// The derive's output, or the errors in the type's attributes.
fn expand(input: &DeriveInput, derive: fn(&Container) -> syn::Result<Tokens>) -> Tokens {
    container(input)
        .and_then(|c| derive(&c))
        .unwrap_or_else(|e| e.to_compile_error())
}

/// Reading: a struct's members by name (unknown ones refused unless lenient), or an
/// externally tagged enum's variant.
#[proc_macro_derive(FromJson, attributes(json, serde))]
pub fn derive_from_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, from_json).into()
}

/// `field: "name" = default` for `from_json_struct!` and `read_fields!`.
fn member_list(fields: &[Field]) -> syn::Result<Vec<Tokens>> {
    fields
        .iter()
        .map(|f| {
            let (ident, name) = (&f.ident, &f.name);
            if f.flatten {
                return Err(syn::Error::new_spanned(
                    ident,
                    "`flatten` is written, not read",
                ));
            }
            Ok(match &f.default {
                Some(default) => quote!(#ident: #name = #default),
                None => quote!(#ident: #name),
            })
        })
        .collect()
}

fn from_json(c: &Container) -> syn::Result<Tokens> {
    let ty = &c.ident;
    if !c.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &c.generics,
            "a type read from JSON owns its data",
        ));
    }
    let variants = match &c.body {
        Body::Struct(fields) => {
            let mode = Ident::new(
                if c.lenient { "lenient" } else { "strict" },
                Span::call_site(),
            );
            let members = member_list(fields)?;
            return Ok(quote!(::coupon_engine::from_json_struct!(#mode #ty { #(#members),* });));
        }
        Body::Enum {
            tagged: Some(_), ..
        } => {
            return Err(syn::Error::new(
                Span::call_site(),
                "a tagged enum is written, not read",
            ))
        }
        Body::Enum { variants, .. } => variants,
    };
    let is_unit = |v: &&Variant| matches!(v.shape, Shape::Unit);
    let units = variants.iter().filter(is_unit).map(|v| &v.name);
    let with_data = variants.iter().filter(|v| !is_unit(v)).map(|v| &v.name);
    let last = variants.len() - 1;
    let arms = variants.iter().enumerate().map(|(i, v)| {
        let (ident, name) = (&v.ident, &v.name);
        // The last variant takes every other name: `variant` has checked it is one.
        let pattern = if i == last { quote!(_) } else { quote!(#name) };
        let read = match &v.shape {
            Shape::Unit => quote!({ *self = #ty::#ident {}; Ok(()) }),
            Shape::Newtype => quote!({ *self = #ty::#ident(found.data(at)?); Ok(()) }),
            Shape::Struct(fields) => {
                let members = member_list(fields)?;
                quote!({
                    let data = found.data.unwrap_or(&::coupon_engine::json::Json::Null);
                    ::coupon_engine::read_fields!(strict data, at.key(found.name), self, #ty::#ident { #(#members),* })
                })
            }
        };
        Ok(quote!(#pattern => #read))
    });
    let arms = arms.collect::<syn::Result<Vec<_>>>()?;
    let first = &variants[0];
    let first_ident = &first.ident;
    let placeholder = match &first.shape {
        Shape::Unit => quote!(#ty::#first_ident {}),
        Shape::Newtype => quote!(#ty::#first_ident(::coupon_engine::json::FromJson::placeholder())),
        Shape::Struct(fields) => {
            let idents = fields.iter().map(|f| &f.ident);
            quote!(#ty::#first_ident { #(#idents: ::coupon_engine::json::FromJson::placeholder()),* })
        }
    };
    Ok(quote! {
        impl ::coupon_engine::json::FromJson for #ty {
            fn read_into(
                &mut self,
                value: &::coupon_engine::json::Json<'_>,
                at: ::coupon_engine::json::Path<'_>,
            ) -> ::core::result::Result<(), ::coupon_engine::Error> {
                let found = ::coupon_engine::json::variant(value, at, &[#(#units),*], &[#(#with_data),*])?;
                match found.name {
                    #(#arms)*
                }
            }

            fn placeholder() -> Self {
                #placeholder
            }
        }
    })
}

/// Writing: every member in declaration order under its JSON name, each key a literal
/// where the members written do not depend on the values; an enum as its name, or its
/// tag and content.
#[proc_macro_derive(ToJson, attributes(json, serde))]
pub fn derive_to_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, to_json).into()
}

/// Statements that append `{…}` for `fields`, each read through `access(field)`.
/// Without left-out or flattened members every key is a literal with its separator;
/// otherwise the separators are decided as the members are written.
fn write_object(fields: &[Field], access: &dyn Fn(&Field) -> Tokens) -> Tokens {
    if fields.is_empty() {
        return quote!(out.push_str("{}"););
    }
    if fields.iter().all(|f| f.skip_if.is_none() && !f.flatten) {
        let writes = fields.iter().enumerate().map(|(i, f)| {
            let key = format!("{}\"{}\":", if i == 0 { "{" } else { "," }, f.name);
            let value = access(f);
            quote! {
                out.push_str(#key);
                ::coupon_engine::json::ToJson::write_json(#value, out);
            }
        });
        return quote!(#(#writes)* out.push('}'););
    }
    let writes = fields.iter().map(|f| {
        let value = access(f);
        let key = format!("\"{}\":", f.name);
        let write = if f.flatten {
            quote!(::coupon_engine::json::ToJsonMembers::write_members(#value, out);)
        } else {
            quote!(out.push_str(#key); ::coupon_engine::json::ToJson::write_json(#value, out);)
        };
        let member = quote! {
            out.push(if first { '{' } else { ',' });
            first = false;
            #write
        };
        match &f.skip_if {
            Some(skip) => quote!(if !#skip(#value) { #member }),
            None => member,
        }
    });
    quote! {
        let mut first = true;
        #(#writes)*
        if first {
            out.push('{');
        }
        out.push('}');
    }
}

/// A struct variant's pattern, binding each field by its name, and the statements
/// that write those fields as an object.
fn struct_variant(ty: &Ident, ident: &Ident, fields: &[Field]) -> (Tokens, Tokens) {
    let idents = fields.iter().map(|f| &f.ident);
    let body = write_object(fields, &|f| {
        let ident = &f.ident;
        quote!(#ident)
    });
    (quote!(#ty::#ident { #(#idents),* }), body)
}

fn to_json(c: &Container) -> syn::Result<Tokens> {
    let ty = &c.ident;
    let (generics, args, bounds) = c.generics.split_for_impl();
    let (variants, tagged) = match &c.body {
        Body::Struct(fields) => {
            let body = write_object(fields, &|f| {
                let ident = &f.ident;
                quote!(&self.#ident)
            });
            return Ok(quote! {
                impl #generics ::coupon_engine::json::ToJson for #ty #args #bounds {
                    #[allow(unused_assignments)]
                    fn write_json(&self, out: &mut ::std::string::String) {
                        #body
                    }
                }
            });
        }
        Body::Enum { variants, tagged } => (variants, tagged),
    };
    let names = variants.iter().map(|v| {
        let (ident, name) = (&v.ident, &v.name);
        let pattern = match v.shape {
            Shape::Unit => quote!(#ty::#ident { .. }),
            Shape::Newtype => quote!(#ty::#ident(_)),
            Shape::Struct(_) => quote!(#ty::#ident { .. }),
        };
        quote!(#pattern => #name)
    });
    let variant_name = quote! {
        impl #generics ::coupon_engine::json::VariantName for #ty #args #bounds {
            fn variant_name(&self) -> &'static str {
                match self { #(#names,)* }
            }
        }
    };
    let Some((tag, content)) = tagged else {
        let arms = variants.iter().map(|v| {
            let (ident, name) = (&v.ident, &v.name);
            match &v.shape {
                Shape::Unit => {
                    let text = format!("\"{name}\"");
                    quote!(#ty::#ident { .. } => out.push_str(#text),)
                }
                Shape::Newtype => {
                    let key = format!("{{\"{name}\":");
                    quote!(#ty::#ident(value) => {
                        out.push_str(#key);
                        ::coupon_engine::json::ToJson::write_json(value, out);
                        out.push('}');
                    })
                }
                Shape::Struct(fields) => {
                    let key = format!("{{\"{name}\":");
                    let (pattern, body) = struct_variant(ty, ident, fields);
                    quote!(#pattern => {
                        out.push_str(#key);
                        #body
                        out.push('}');
                    })
                }
            }
        });
        return Ok(quote! {
            impl #generics ::coupon_engine::json::ToJson for #ty #args #bounds {
                #[allow(unused_assignments)]
                fn write_json(&self, out: &mut ::std::string::String) {
                    match self { #(#arms)* }
                }
            }
            #variant_name
        });
    };
    // The tag's value comes from `variant_name`, so each name is stored once.
    let head = format!("\"{tag}\":\"");
    let middle = format!("\",\"{content}\":");
    let arms = variants.iter().map(|v| {
        let ident = &v.ident;
        match &v.shape {
            // serde writes a unit variant's tag alone.
            Shape::Unit => quote!(#ty::#ident { .. } => out.push('"'),),
            Shape::Newtype => quote!(#ty::#ident(value) => {
                out.push_str(#middle);
                ::coupon_engine::json::ToJson::write_json(value, out);
            }),
            Shape::Struct(fields) => {
                let (pattern, body) = struct_variant(ty, ident, fields);
                quote!(#pattern => {
                    out.push_str(#middle);
                    #body
                })
            }
        }
    });
    Ok(quote! {
        impl #generics ::coupon_engine::json::ToJsonMembers for #ty #args #bounds {
            #[allow(unused_assignments)]
            fn write_members(&self, out: &mut ::std::string::String) {
                out.push_str(#head);
                out.push_str(::coupon_engine::json::VariantName::variant_name(self));
                match self { #(#arms)* }
            }
        }
        impl #generics ::coupon_engine::json::ToJson for #ty #args #bounds {
            fn write_json(&self, out: &mut ::std::string::String) {
                out.push('{');
                ::coupon_engine::json::ToJsonMembers::write_members(self, out);
                out.push('}');
            }
        }
        #variant_name
    })
}
