//! The smallest XML reader that is correct for the XML inside GeWe's callbacks (`<sysmsg>`, `<msg>`).
//!
//! It reads well-formed XML 1.0 into a tree: an optional declaration, comments and processing instructions
//! (dropped), elements, attributes, character data with the five predefined entities and numeric character
//! references, CDATA, line ends normalised as the specification says. It refuses what these payloads never
//! hold: a DOCTYPE (so no entity can be declared) and namespace prefixes (`a:b`).
//! A generic crate would bring more wasm bytes than the payloads need; the fuzz target holds it to roxmltree.

/// Elements nested deeper than this are refused: the tree is dropped recursively, so depth must be bounded.
pub const MAX_DEPTH: usize = 64;

/// An element: its name, its attributes in source order, and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// The tag name.
    pub name: String,
    /// Attributes in source order, values unescaped and normalised.
    pub attributes: Vec<(String, String)>,
    /// Child elements and text, in source order (CDATA is text; comments are left out).
    pub children: Vec<Node>,
}

/// What an element holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Character data (text and CDATA between two tags, joined).
    Text(String),
}

/// Why a text is not XML, with the byte offset where reading stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset of the first byte that could not be read.
    pub at: usize,
}

impl Element {
    /// The value of the attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|node| match node {
            Node::Element(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    /// The element's own text: its text children joined, child elements left out.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|node| match node {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }
}

/// Parses one XML document and returns its root element.
pub fn parse(text: &str) -> Result<Element, SyntaxError> {
    let mut reader = Reader { text, pos: 0 };
    reader.eat("\u{FEFF}");
    // Only `<?xml ` with a space is the declaration, as roxmltree reads it; `<?xml!…` or `<?xml\t…` is an instruction.
    if reader.starts("<?xml ") {
        reader.declaration()?;
    }
    reader.misc()?;
    let root = reader.root()?;
    reader.misc()?;
    if reader.pos == text.len() {
        Ok(root)
    } else {
        Err(reader.error())
    }
}

/// XML's `Char`: what a document may hold at all.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// XML's `NameStartChar`, `:` aside (it only starts a namespace prefix here, which these payloads never use).
fn is_name_start(c: char) -> bool {
    matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// XML's `NameChar`, `:` aside.
fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn starts(&self, s: &str) -> bool {
        self.rest().starts_with(s)
    }

    fn peek(&self) -> Option<u8> {
        self.peek_at(0)
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + offset).copied()
    }

    fn eat(&mut self, s: &str) -> bool {
        let hit = self.starts(s);
        if hit {
            self.pos += s.len();
        }
        hit
    }

    fn expect(&mut self, s: &str) -> Result<(), SyntaxError> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn error(&self) -> SyntaxError {
        SyntaxError { at: self.pos }
    }

    /// Skips whitespace; whether there was any.
    fn skip_space(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// The next character, checked to be an XML `Char`, and moves past it.
    fn char(&mut self) -> Result<char, SyntaxError> {
        match self.rest().chars().next() {
            Some(c) if is_xml_char(c) => {
                self.pos += c.len_utf8();
                Ok(c)
            }
            _ => Err(self.error()),
        }
    }

    /// Moves past every character up to and including `end`, checking each.
    fn skip_past(&mut self, end: &str) -> Result<(), SyntaxError> {
        while !self.eat(end) {
            self.char()?;
        }
        Ok(())
    }

    /// A name; `colon` allows `:` in it (a processing instruction's target).
    fn name_with(&mut self, colon: bool) -> Result<String, SyntaxError> {
        let start = self.pos;
        let mut chars = self.rest().chars();
        if !chars
            .next()
            .is_some_and(|c| is_name_start(c) || colon && c == ':')
        {
            return Err(self.error());
        }
        let len = self
            .rest()
            .find(|c: char| !(is_name_char(c) || colon && c == ':'))
            .unwrap_or(self.rest().len());
        self.pos += len;
        Ok(self.text.get(start..self.pos).unwrap_or_default().to_owned())
    }

    fn name(&mut self) -> Result<String, SyntaxError> {
        self.name_with(false)
    }

    /// `<?xml version… encoding… standalone…?>`, read exactly as roxmltree reads it.
    ///
    /// The three names are matched by prefix, in that order, `version` required; the values are not checked,
    /// since nothing here depends on them (the text is already UTF-8). Agreeing with the reference on what is a
    /// declaration keeps the fuzz target's verdicts comparable.
    fn declaration(&mut self) -> Result<(), SyntaxError> {
        self.pos += 5; // "<?xml"
        self.declaration_space()?;
        if !self.starts("version") {
            return Err(self.error());
        }
        self.declaration_attribute()?;
        self.declaration_space()?;
        if self.starts("encoding") {
            self.declaration_attribute()?;
            self.declaration_space()?;
        }
        if self.starts("standalone") {
            self.declaration_attribute()?;
        }
        self.skip_space();
        self.expect("?>")
    }

    /// The whitespace the declaration needs between its parts, unless `?>` (or the end) comes first.
    fn declaration_space(&mut self) -> Result<(), SyntaxError> {
        if self.skip_space() || self.starts("?>") || self.pos >= self.text.len() {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// One `name = 'value'` of the declaration: a name with at most one `:`, a value of `Char`s without `<`.
    fn declaration_attribute(&mut self) -> Result<(), SyntaxError> {
        self.name()?;
        if self.eat(":") {
            self.name()?;
        }
        self.skip_space();
        self.expect("=")?;
        self.skip_space();
        let quote = match self.peek() {
            Some(b'"') => "\"",
            Some(b'\'') => "'",
            _ => return Err(self.error()),
        };
        self.pos += 1;
        while !self.starts(quote) && !self.starts("<") {
            self.char()?;
        }
        self.expect(quote)
    }

    /// Whitespace, comments and processing instructions, before or after the root.
    fn misc(&mut self) -> Result<(), SyntaxError> {
        loop {
            self.skip_space();
            if self.starts("<!--") {
                self.comment()?;
            } else if self.starts("<?") {
                self.instruction()?;
            } else {
                return Ok(());
            }
        }
    }

    /// `<!-- … -->`, holding no `--`.
    fn comment(&mut self) -> Result<(), SyntaxError> {
        self.pos += 4;
        while !self.starts("--") {
            self.char()?;
        }
        self.pos += 2;
        self.expect(">")
    }

    /// `<?target …?>`; `<?xml ` is the declaration's, allowed only at the start (roxmltree's rule).
    fn instruction(&mut self) -> Result<(), SyntaxError> {
        if self.starts("<?xml ") {
            return Err(self.error());
        }
        self.pos += 2;
        self.name_with(true)?;
        // The grammar wants whitespace after the target; roxmltree does not, and nothing here reads PIs.
        self.skip_past("?>")
    }

    /// The root element and everything in it. Iterative: open elements are kept on a stack of at most
    /// [`MAX_DEPTH`].
    fn root(&mut self) -> Result<Element, SyntaxError> {
        let mut open: Vec<Element> = Vec::new();
        let mut text = String::new();
        loop {
            if self.starts("</") {
                let at = self.pos;
                self.pos += 2;
                let name = self.name()?;
                self.skip_space();
                self.expect(">")?;
                let mut element = match open.pop() {
                    Some(e) if e.name == name => e,
                    _ => return Err(SyntaxError { at }),
                };
                flush(&mut element, &mut text);
                match open.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(element)),
                    None => return Ok(element),
                }
            } else if self.starts("<!--") && !open.is_empty() {
                self.comment()?;
            } else if self.starts("<![CDATA[") && !open.is_empty() {
                self.pos += 9;
                while !self.eat("]]>") {
                    self.text_char(&mut text)?;
                }
            } else if self.starts("<?") && !open.is_empty() {
                self.instruction()?;
            } else if self.starts("<") && !self.starts("<!") {
                let (element, empty) = self.start_tag()?;
                if let Some(parent) = open.last_mut() {
                    flush(parent, &mut text);
                }
                if !empty {
                    if open.len() == MAX_DEPTH {
                        return Err(self.error());
                    }
                    open.push(element);
                } else if let Some(parent) = open.last_mut() {
                    parent.children.push(Node::Element(element));
                } else {
                    return Ok(element);
                }
            } else if open.is_empty() || self.starts("<") {
                return Err(self.error());
            } else {
                self.char_data(&mut text)?;
            }
        }
    }

    /// `<name attr="value" …>` or `<name … />`: the element, and whether it is empty (`/>`).
    fn start_tag(&mut self) -> Result<(Element, bool), SyntaxError> {
        self.pos += 1; // '<'
        let name = self.name()?;
        let mut attributes: Vec<(String, String)> = Vec::new();
        loop {
            let spaced = self.skip_space();
            let empty = self.eat("/>");
            if empty || self.eat(">") {
                let element = Element {
                    name,
                    attributes,
                    children: Vec::new(),
                };
                return Ok((element, empty));
            }
            if !spaced {
                return Err(self.error());
            }
            let at = self.pos;
            let key = self.name()?;
            if attributes.iter().any(|(k, _)| *k == key) {
                return Err(SyntaxError { at });
            }
            self.skip_space();
            self.expect("=")?;
            self.skip_space();
            let value = self.attribute_value()?;
            attributes.push((key, value));
        }
    }

    /// A quoted attribute value, references resolved and whitespace characters turned into spaces.
    fn attribute_value(&mut self) -> Result<String, SyntaxError> {
        let quote = match self.peek() {
            Some(b'"') => "\"",
            Some(b'\'') => "'",
            _ => return Err(self.error()),
        };
        self.pos += 1;
        let mut value = String::new();
        while !self.eat(quote) {
            match self.peek() {
                Some(b'<') => return Err(self.error()),
                Some(b'&') => value.push(self.reference()?),
                Some(b'\t' | b'\n' | b'\r') => {
                    // `\r\n` is one line end, so one space.
                    if !self.eat("\r\n") {
                        self.pos += 1;
                    }
                    value.push(' ');
                }
                _ => value.push(self.char()?),
            }
        }
        Ok(value)
    }

    /// Character data up to the next `<`.
    fn char_data(&mut self, text: &mut String) -> Result<(), SyntaxError> {
        while !self.starts("<") {
            match self.peek() {
                None => return Err(self.error()),
                Some(b'&') => text.push(self.reference()?),
                Some(b']') if self.starts("]]>") => return Err(self.error()),
                _ => self.text_char(text)?,
            }
        }
        Ok(())
    }

    /// One character of text or CDATA, with `\r\n` and a lone `\r` read as `\n`.
    fn text_char(&mut self, text: &mut String) -> Result<(), SyntaxError> {
        if self.eat("\r") {
            self.eat("\n");
            text.push('\n');
        } else {
            text.push(self.char()?);
        }
        Ok(())
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#N;` `&#xH;`: the character it stands for.
    fn reference(&mut self) -> Result<char, SyntaxError> {
        let at = self.pos;
        self.pos += 1; // '&'
        let (radix, start) = if self.eat("#x") {
            (16, self.pos)
        } else if self.eat("#") {
            (10, self.pos)
        } else {
            let name = self.name()?;
            self.expect(";")?;
            return match name.as_str() {
                "lt" => Ok('<'),
                "gt" => Ok('>'),
                "amp" => Ok('&'),
                "quot" => Ok('"'),
                "apos" => Ok('\''),
                _ => Err(SyntaxError { at }),
            };
        };
        let mut code: u32 = 0;
        while let Some(digit) = self.peek().and_then(|b| char::from(b).to_digit(radix)) {
            code = code
                .checked_mul(radix)
                .and_then(|c| c.checked_add(digit))
                .ok_or(SyntaxError { at })?;
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error());
        }
        self.expect(";")?;
        char::from_u32(code)
            .filter(|&c| is_xml_char(c))
            .ok_or(SyntaxError { at })
    }
}

/// Moves pending text into `element` as one text node.
fn flush(element: &mut Element, text: &mut String) {
    if !text.is_empty() {
        element.children.push(Node::Text(std::mem::take(text)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(name: &str, t: &str) -> Node {
        Node::Element(Element {
            name: name.into(),
            attributes: vec![],
            children: vec![Node::Text(t.into())],
        })
    }

    #[test]
    fn reads_a_recall_notice() {
        let root = parse("<sysmsg type=\"revokemsg\"><revokemsg><session>wxid_a</session><msgid>1</msgid><newmsgid>5576224237104747184</newmsgid><replacemsg><![CDATA[\"朝夕。\" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>").unwrap();
        assert_eq!(root.name, "sysmsg");
        assert_eq!(root.attribute("type"), Some("revokemsg"));
        let notice = root.child("revokemsg").unwrap();
        assert_eq!(
            notice.children,
            vec![
                text("session", "wxid_a"),
                text("msgid", "1"),
                text("newmsgid", "5576224237104747184"),
                text("replacemsg", "\"朝夕。\" 撤回了一条消息"),
            ]
        );
    }

    #[test]
    fn reads_a_prologue_pretty_printing_comments_and_instructions() {
        for prologue in [
            "",
            "<?xml version=\"1.0\"?>\n",
            "<?xml version9007199254740993=\"1.0\" encoding=\"UTF-8\"?>\n",
            // Not `<?xml ` with a space: instructions, as roxmltree reads them.
            "<?xml?>",
            "<?xml!version=\"1.0\"?>\n",
            "\u{FEFF}<?xml version='1.0' encoding=\"UTF-8\" standalone='yes' ?>",
            // Values unchecked and names by prefix, as roxmltree reads them (the fuzzer's findings).
            "<?xml version=\"1\" standalone=\"maybe\"?>",
            "<?xml version=\"1.0a\" encoding=\"\u{FFFD}UTF-8\"?>",
            "<?xml version:x = '1.0'?>",
            "<!-- c --><?pi data?>\n",
        ] {
            let doc =
                format!("{prologue}<msg>\n\t<img a=\"1\" />\n\t<!-- x --><?p?><t>v</t>\n</msg>\n<!--end-->");
            let root = parse(&doc).unwrap_or_else(|e| panic!("{doc:?}: {e:?}"));
            assert_eq!(root.child("img").unwrap().attribute("a"), Some("1"));
            assert_eq!(root.child("t").unwrap().text(), "v");
            assert_eq!(root.text(), "\n\t\n\t\n");
        }
    }

    #[test]
    fn resolves_entities_and_character_references() {
        let root = parse(
            "<a t='&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;&#x9;'>x&amp;y&#x4E2D;&#20013;&lt;msg&gt;</a>",
        )
        .unwrap();
        assert_eq!(root.attribute("t"), Some("<>&\"'A\u{1F600}\t"));
        assert_eq!(root.text(), "x&y中中<msg>");
        // An escaped document inside a value reads as text, ready for a second parse.
        assert_eq!(
            parse(&format!("<r>{}</r>", "&lt;m&gt;1&lt;/m&gt;"))
                .unwrap()
                .text(),
            "<m>1</m>"
        );
    }

    #[test]
    fn normalises_line_ends_and_attribute_whitespace() {
        let root = parse("<a v=\"x\r\ny\tz\nw\rq&#10;\">1\r\n2\r3<![CDATA[\r\n]]></a>").unwrap();
        assert_eq!(root.attribute("v"), Some("x y z w q\n"));
        assert_eq!(root.text(), "1\n2\n3\n");
    }

    #[test]
    fn keeps_cdata_verbatim() {
        let root = parse("<t><![CDATA[<b>&amp;]]]]><![CDATA[>]]></t>").unwrap();
        assert_eq!(root.text(), "<b>&amp;]]>");
        assert_eq!(parse("<t><![CDATA[]]></t>").unwrap().children, vec![]);
    }

    #[test]
    fn refuses_what_is_not_xml() {
        for bad in [
            "",
            "text",
            "<a>",
            "<a></b>",
            "<a><b></a></b>",
            "<a/><b/>",
            "<a/>x",
            "x<a/>",
            "<a x=1/>",
            "<a x=\"1\"x=\"2\"/>",
            "<a x=\"1\" x=\"2\"/>",
            "<a x=\"<\"/>",
            "<a x=\"1/>",
            "<a>&unknown;</a>",
            "<a>&amp</a>",
            "<a>& b</a>",
            "<a>&#0;</a>",
            "<a>&#xD800;</a>",
            "<a>&#x110000;</a>",
            "<a>&#99999999999;</a>",
            "<a>&#;</a>",
            "<a>&#x;</a>",
            "<a>]]></a>",
            "<a>\u{1}</a>",
            "<a>\u{FFFE}</a>",
            "<a><![CDATA[x</a>",
            "<a><!-- a -- b --></a>",
            "<a><!-- x ---></a>",
            "<a><?xml version=\"1.0\"?></a>",
            "<?xml version=\"1.0\"?><?xml version=\"1.0\"?><a/>",
            "<a/><?xml version=\"1.0\"?>",
            "<?xml encoding=\"UTF-8\"?><a/>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?<a/>",
            "<?xml version=\"1.0\" encoding=\"UTF<8\"?><a/>",
            "<?xml version=\"1.0\" encoding=\"UTF\u{1}8\"?><a/>",
            "<?xml version:a:b=\"1.0\"?><a/>",
            "<?xml version=\"1.0\" bogus=\"1\"?><a/>",
            "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?><a/>",
            "<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>",
            "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>",
            "<a><!DOCTYPE a></a>",
            "<1a/>",
            "<a:b/>",
            "<·a/>",
            "<?·a?><a/>",
            "< a/>",
            "<a></ a>",
            "<a/ >",
        ] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn refuses_nesting_past_the_limit_without_overflowing() {
        let ok = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
        assert!(parse(&"<a>".repeat(100_000)).is_err());
    }

    #[test]
    fn reports_where_reading_stopped() {
        assert_eq!(parse("<a></b>"), Err(SyntaxError { at: 3 }));
        assert_eq!(parse("<a>&x;</a>"), Err(SyntaxError { at: 3 }));
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(s in "[<>/=!?\\[\\]&#;a-c0-9x \"'\\-\r\n\u{1}中]{0,48}") {
            if let Err(e) = parse(&s) {
                prop_assert!(e.at <= s.len());
            }
        }

        // Any text, escaped and put in an element or an attribute, reads back as itself.
        #[test]
        fn escaped_text_reads_back(s in "[^\u{0}-\u{8}\u{b}\u{c}\u{e}-\u{1f}\u{fffe}\u{ffff}\r]{0,32}") {
            let escaped = s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
            let attr = escaped.replace('\t', "&#9;").replace('\n', "&#10;");
            let root = parse(&format!("<t v=\"{attr}\">{escaped}</t>")).unwrap();
            prop_assert_eq!(root.attribute("v"), Some(s.as_str()));
            prop_assert_eq!(root.text(), s);
        }
    }
}
