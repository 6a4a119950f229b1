//! A row's formula in a quality report template: arithmetic over named measures
//! (`100 * placed / graduates`, `full_time_enrolment / (full_time_teachers + 0.5 * part_time_teachers)`).
//! Parsed once when the template loads, so a mistyped name is an error of the file, not of a report.

use std::collections::HashMap;

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Measure(String),
    Add(Box<Expr>, Box<Expr>),
    Sub(Box<Expr>, Box<Expr>),
    Mul(Box<Expr>, Box<Expr>),
    Div(Box<Expr>, Box<Expr>),
}

/// Why a formula has no value.
#[derive(Debug, Clone, PartialEq)]
pub enum Missing {
    /// A measure with no data (its table has no approved rows for the school and year).
    NoData(String),
    /// A division by a measure (or expression) that is 0.
    Zero(String),
}

impl Expr {
    /// Parses a formula; the error says where.
    pub fn parse(text: &str) -> Result<Expr, String> {
        let tokens = tokens(text)?;
        let mut p = Parser { tokens: &tokens, at: 0 };
        let e = p.sum()?;
        if p.at != tokens.len() {
            return Err(format!("'{text}': unexpected '{}'", tokens[p.at].show()));
        }
        Ok(e)
    }

    /// The measures the formula names, in order of appearance.
    pub fn measures(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Measure(m) = e
                && !out.contains(&m.as_str())
            {
                out.push(m.as_str());
            }
        });
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Number(_) | Expr::Measure(_) => {}
        }
    }

    /// The value with the measures given (a measure absent from the map has no data).
    pub fn eval(&self, values: &HashMap<String, f64>) -> Result<f64, Missing> {
        Ok(match self {
            Expr::Number(n) => *n,
            Expr::Measure(m) => *values.get(m).ok_or_else(|| Missing::NoData(m.clone()))?,
            Expr::Add(a, b) => a.eval(values)? + b.eval(values)?,
            Expr::Sub(a, b) => a.eval(values)? - b.eval(values)?,
            Expr::Mul(a, b) => a.eval(values)? * b.eval(values)?,
            Expr::Div(a, b) => {
                let (x, y) = (a.eval(values)?, b.eval(values)?);
                if y == 0.0 {
                    let name = match b.as_ref() {
                        Expr::Measure(m) => m.clone(),
                        other => format!("{other:?}"),
                    };
                    return Err(Missing::Zero(name));
                }
                x / y
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Name(String),
    Op(char),
}

impl Token {
    fn show(&self) -> String {
        match self {
            Token::Num(n) => n.to_string(),
            Token::Name(s) => s.clone(),
            Token::Op(c) => c.to_string(),
        }
    }
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            out.push(Token::Num(s.parse().map_err(|_| format!("'{text}': '{s}' is not a number"))?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Name(chars[start..i].iter().collect()));
        } else if "+-*/()".contains(c) {
            out.push(Token::Op(c));
            i += 1;
        } else {
            return Err(format!("'{text}': '{c}' is not allowed (numbers, measure names, + - * / and brackets)"));
        }
    }
    if out.is_empty() {
        return Err("an empty formula".into());
    }
    Ok(out)
}

struct Parser<'t> {
    tokens: &'t [Token],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut e = self.product()?;
        while let Some(Token::Op(op @ ('+' | '-'))) = self.peek().cloned() {
            self.at += 1;
            let r = self.product()?;
            e = if op == '+' { Expr::Add(Box::new(e), Box::new(r)) } else { Expr::Sub(Box::new(e), Box::new(r)) };
        }
        Ok(e)
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut e = self.atom()?;
        while let Some(Token::Op(op @ ('*' | '/'))) = self.peek().cloned() {
            self.at += 1;
            let r = self.atom()?;
            e = if op == '*' { Expr::Mul(Box::new(e), Box::new(r)) } else { Expr::Div(Box::new(e), Box::new(r)) };
        }
        Ok(e)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let t = self.peek().cloned().ok_or("the formula ends too soon")?;
        self.at += 1;
        match t {
            Token::Num(n) => Ok(Expr::Number(n)),
            Token::Name(s) => Ok(Expr::Measure(s)),
            Token::Op('(') => {
                let e = self.sum()?;
                match self.peek() {
                    Some(Token::Op(')')) => {
                        self.at += 1;
                        Ok(e)
                    }
                    _ => Err("a '(' is not closed".into()),
                }
            }
            other => Err(format!("unexpected '{}'", other.show())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_parse_and_evaluate_with_precedence_and_brackets() {
        let e = Expr::parse("enrolment / (full_time + 0.5 * part_time)").unwrap();
        assert_eq!(e.measures(), vec!["enrolment", "full_time", "part_time"]);
        let v: HashMap<String, f64> =
            [("enrolment", 300.0), ("full_time", 20.0), ("part_time", 20.0)].map(|(k, v)| (k.to_string(), v)).into();
        assert_eq!(e.eval(&v), Ok(10.0));
        assert_eq!(
            Expr::parse("100 * a / b").unwrap().eval(&[("a".into(), 1.0)].into()),
            Err(Missing::NoData("b".into()))
        );
        let zero: HashMap<String, f64> = [("a".into(), 1.0), ("b".into(), 0.0)].into();
        assert_eq!(Expr::parse("a / b").unwrap().eval(&zero), Err(Missing::Zero("b".into())));
        assert!(Expr::parse("a / (b").is_err());
        assert!(Expr::parse("a % b").is_err());
        assert!(Expr::parse("").is_err());
    }
}
