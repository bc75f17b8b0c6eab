//! The WebDAV answers Estafette reads: `207 Multi-Status` (RFC 4918 §13),
//! with the DAV, CardDAV and CalendarServer properties it asks for. No DTD
//! is read (so no entity can expand), and only what was asked for is kept.

use roxmltree::{Document, Node, ParsingOptions};

pub const DAV: &str = "DAV:";
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
pub const CALENDARSERVER: &str = "http://calendarserver.org/ns/";

/// One property of a `<response>`, from a propstat whose status was 200.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prop {
    pub namespace: String,
    pub name: String,
    /// The element's text (an ETag, a name, a card).
    pub text: String,
    /// The `<href>`s inside it (a principal, a home set).
    pub hrefs: Vec<String>,
    /// The names of the elements inside it (a resource type's kinds).
    pub kinds: Vec<(String, String)>,
}

/// One `<response>` of a multistatus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    pub href: String,
    /// The response's own status, when it has one (a removed member: 404).
    pub status: Option<u16>,
    pub props: Vec<Prop>,
}

impl Response {
    pub fn prop(&self, namespace: &str, name: &str) -> Option<&Prop> {
        self.props
            .iter()
            .find(|p| p.namespace == namespace && p.name == name)
    }

    pub fn text(&self, namespace: &str, name: &str) -> Option<&str> {
        self.prop(namespace, name)
            .map(|p| p.text.as_str())
            .filter(|t| !t.is_empty())
    }

    pub fn is(&self, namespace: &str, kind: &str) -> bool {
        self.prop(DAV, "resourcetype").is_some_and(|p| {
            p.kinds
                .iter()
                .any(|(ns, name)| ns == namespace && name == kind)
        })
    }
}

fn is(node: &Node, namespace: &str, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace() == Some(namespace)
}

fn children<'a, 'i>(
    node: Node<'a, 'i>,
    namespace: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| is(c, namespace, name))
}

fn text_of(node: Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The code of a status line such as `HTTP/1.1 200 OK`.
fn status_code(line: &str) -> Option<u16> {
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The responses of a multistatus document.
pub fn multistatus(body: &str) -> Result<Vec<Response>, String> {
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(body, options).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    if !is(&root, DAV, "multistatus") {
        return Err(format!(
            "expected a multistatus, got <{}>",
            root.tag_name().name()
        ));
    }
    let mut out = Vec::new();
    for response in children(root, DAV, "response") {
        let Some(href) = children(response, DAV, "href").next().map(text_of) else {
            continue;
        };
        let status = children(response, DAV, "status")
            .next()
            .and_then(|s| status_code(&text_of(s)));
        let mut props = Vec::new();
        for propstat in children(response, DAV, "propstat") {
            let ok = children(propstat, DAV, "status")
                .next()
                .and_then(|s| status_code(&text_of(s)))
                .is_some_and(|code| (200..300).contains(&code));
            if !ok {
                continue;
            }
            for prop in children(propstat, DAV, "prop") {
                for p in prop.children().filter(Node::is_element) {
                    let hrefs = p
                        .descendants()
                        .filter(|n| is(n, DAV, "href"))
                        .map(text_of)
                        .collect();
                    let kinds = p
                        .children()
                        .filter(Node::is_element)
                        .map(|k| {
                            (
                                k.tag_name().namespace().unwrap_or_default().to_owned(),
                                k.tag_name().name().to_owned(),
                            )
                        })
                        .collect();
                    props.push(Prop {
                        namespace: p.tag_name().namespace().unwrap_or_default().to_owned(),
                        name: p.tag_name().name().to_owned(),
                        text: text_of(p),
                        hrefs,
                        kinds,
                    });
                }
            }
        }
        out.push(Response {
            href,
            status,
            props,
        });
    }
    Ok(out)
}

/// `text` with XML's special characters escaped, for a request body.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_with_etags_types_and_a_removed_member() {
        let body = r#"<?xml version="1.0"?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/">
  <response><href>/alice%40example.org/contacts/</href>
    <propstat><prop><resourcetype><collection/><C:addressbook/></resourcetype>
      <displayname>Contacts &amp; friends</displayname><CS:getctag>"c1"</CS:getctag></prop>
      <status>HTTP/1.1 200 OK</status></propstat>
    <propstat><prop><getetag/></prop><status>HTTP/1.1 404 Not Found</status></propstat>
  </response>
  <response><href>/alice%40example.org/contacts/a.vcf</href>
    <propstat><prop><getetag>"e1"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>
  <response><href>/alice%40example.org/contacts/gone.vcf</href><status>HTTP/1.1 404 Not Found</status></response>
</multistatus>"#;
        let r = multistatus(body).expect("parsed");
        assert_eq!(r.len(), 3);
        assert!(r[0].is(CARDDAV, "addressbook"));
        assert_eq!(r[0].text(DAV, "displayname"), Some("Contacts & friends"));
        assert_eq!(r[0].text(CALENDARSERVER, "getctag"), Some("\"c1\""));
        assert_eq!(r[0].text(DAV, "getetag"), None);
        assert_eq!(r[1].text(DAV, "getetag"), Some("\"e1\""));
        assert!(!r[1].is(CARDDAV, "addressbook"));
        assert_eq!(r[2].status, Some(404));
    }

    #[test]
    fn entities_and_other_documents_are_refused() {
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<multistatus xmlns="DAV:"><response><href>&b;</href></response></multistatus>"#;
        assert!(multistatus(laughs).is_err());
        assert!(multistatus("<html/>").is_err());
        assert!(multistatus("not xml").is_err());
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
    }
}
