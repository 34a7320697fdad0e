//! Strict query-string reading: every parameter is checked, unknown ones are refused,
//! and every problem is reported at once as a 422 naming the parameters.

use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use chrono::{DateTime, NaiveDateTime, Utc};
use percent_encoding::percent_decode_str;
use std::future::{ready, Ready};
use utoipa::IntoParams;

use super::error::ApiError;
use crate::store::PageRequest;
use crate::validation::Errors;

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;
/// Far past any real list; keeps offsets well inside 64 bits.
pub const MAX_PAGE: i64 = 10_000_000;

/// Query parameters that read themselves from a query string: the type that documents
/// them (`IntoParams`) is the type a handler receives.
pub trait FromQuery: Sized {
    fn read(query: &mut QueryReader) -> Self;
}

/// `T` read strictly from the query string: bad values and unknown parameters are one 422.
pub struct Query<T>(pub T);

impl<T: FromQuery + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let mut query = QueryReader::new(req.query_string());
        let value = T::read(&mut query);
        ready(query.finish().map(|()| Self(value)))
    }
}

/// `page` and `per_page` of every list, and nothing else.
#[derive(Debug, Clone, Copy, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number; a page past the end is empty.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 10_000_000, default = 1)]
    page: i64,
    /// Items per page, 1 to 100 (larger is a 422, not clamped).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, default = 20)]
    per_page: i64,
}

impl FromQuery for PageParams {
    fn read(query: &mut QueryReader) -> Self {
        let PageRequest { page, per_page } = query.page();
        Self { page, per_page }
    }
}

impl From<PageParams> for PageRequest {
    fn from(params: PageParams) -> Self {
        Self { page: params.page, per_page: params.per_page }
    }
}

/// The decoded parameters of a query string, consumed one by one.
pub struct QueryReader {
    pairs: Vec<(String, Option<String>)>,
    errors: Errors,
}

fn decode(part: &str) -> Option<String> {
    let spaced = part.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8().ok().map(|s| s.into_owned())
}

impl QueryReader {
    pub fn new(query: &str) -> Self {
        let mut errors = Errors::default();
        let mut pairs = Vec::new();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            match decode(key) {
                Some(key) => pairs.push((key, decode(value))),
                None => errors.add(key.to_owned(), "is not valid UTF-8"),
            }
        }
        Self { pairs, errors }
    }

    /// Every value given for `name`, in order; more than `max` is an error (each value
    /// becomes a term of a query, and the database caps how large a query may grow).
    pub fn repeated(&mut self, name: &str, max: usize) -> Vec<String> {
        let values = self.all(name);
        if values.len() > max {
            self.errors.add(name, format!("must be given at most {max} times, got {}", values.len()));
            return Vec::new();
        }
        values
    }

    /// Every value given for `name`, in order.
    fn all(&mut self, name: &str) -> Vec<String> {
        let mut values = Vec::new();
        let mut bad = false;
        self.pairs.retain(|(key, value)| {
            if key != name {
                return true;
            }
            match value {
                Some(v) => values.push(v.clone()),
                None => bad = true,
            }
            false
        });
        if bad {
            self.errors.add(name, "is not valid UTF-8");
        }
        values
    }

    /// The one value of `name`, if given; given twice is an error.
    pub fn text(&mut self, name: &str) -> Option<String> {
        let mut values = self.all(name);
        if values.len() > 1 {
            self.errors.add(name, "must be given at most once");
        }
        values.pop()
    }

    /// The value of `name` parsed by `parse`, which says what was expected on failure.
    pub fn parsed<T>(&mut self, name: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let text = self.text(name)?;
        match parse(&text) {
            Ok(value) => Some(value),
            Err(expected) => {
                self.errors.add(name, expected);
                None
            }
        }
    }

    /// An integer from `min` to `max`.
    pub fn int(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        self.parsed(name, |text| match i64::from_str(text) {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(format!("must be a whole number from {min} to {max}")),
        })
    }

    /// An RFC 3339 timestamp, converted to UTC.
    pub fn timestamp(&mut self, name: &str) -> Option<NaiveDateTime> {
        self.parsed(name, |text| {
            DateTime::parse_from_rfc3339(text)
                .map(|at| at.with_timezone(&Utc).naive_utc())
                .map_err(|_| "must be an RFC 3339 timestamp such as 2024-05-23T00:00:00Z".to_owned())
        })
    }

    /// Whether `name` was given (and not read yet).
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(key, _)| key == name)
    }

    /// `page` and `per_page`.
    pub fn page(&mut self) -> PageRequest {
        PageRequest {
            page: self.int("page", 1, MAX_PAGE).unwrap_or(1),
            per_page: self.int("per_page", 1, MAX_PER_PAGE).unwrap_or(DEFAULT_PER_PAGE),
        }
    }

    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        self.errors.add(name, message);
    }

    /// Refuses parameters nobody asked for, and returns every error found.
    pub fn finish(mut self) -> Result<(), ApiError> {
        for (key, _) in std::mem::take(&mut self.pairs) {
            self.errors.add(key, "is not a known parameter");
        }
        self.errors.finish(()).map_err(ApiError::invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_known_parameters_and_refuses_the_rest() {
        let mut q = QueryReader::new("page=2&per_page=50&tag=a&tag=b%20c&q=x+y");
        let page = q.page();
        assert_eq!((page.page, page.per_page), (2, 50));
        assert_eq!(q.repeated("tag", 2), vec!["a", "b c"]);
        assert_eq!(q.text("q").as_deref(), Some("x y"));
        assert!(q.finish().is_ok());
    }

    #[test]
    fn out_of_range_and_unknown_parameters_are_422() {
        for query in
            ["per_page=101", "page=0", "page=-1", "page=abc", "per_page=1e3", "bogus=1", "page=1&page=2", "q=%FF"]
        {
            let mut q = QueryReader::new(query);
            q.page();
            q.text("q");
            assert!(matches!(q.finish(), Err(ApiError::Validation { .. })), "{query} must be refused");
        }
    }

    #[test]
    fn a_repeated_parameter_past_its_bound_is_422_naming_it() {
        let mut q = QueryReader::new(&"tag=a&".repeat(21));
        assert!(q.repeated("tag", 20).is_empty());
        let Err(ApiError::Validation { errors, .. }) = q.finish() else { panic!("21 tags must be refused") };
        assert_eq!(errors[0].field, "tag");
    }

    proptest::proptest! {
        #[test]
        fn any_query_string_is_read_without_panicking(query in ".{0,200}") {
            let mut q = QueryReader::new(&query);
            q.page();
            q.repeated("tag", 20);
            q.timestamp("published_after");
            let _ = q.finish();
        }

        #[test]
        fn per_page_outside_1_to_100_is_refused_and_inside_accepted(n in proptest::num::i64::ANY) {
            let mut q = QueryReader::new(&format!("per_page={n}"));
            let page = q.page();
            let result = q.finish();
            if (1..=MAX_PER_PAGE).contains(&n) {
                proptest::prop_assert!(result.is_ok());
                proptest::prop_assert_eq!(page.per_page, n);
            } else {
                let refused = matches!(result, Err(ApiError::Validation { .. }));
                proptest::prop_assert!(refused);
            }
        }

        #[test]
        fn page_numbers_never_overflow_the_offset(n in proptest::num::i64::ANY) {
            let mut q = QueryReader::new(&format!("page={n}&per_page=100"));
            let page = q.page();
            if q.finish().is_ok() {
                proptest::prop_assert!(page.offset() >= 0);
            }
        }
    }
}
