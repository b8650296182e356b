//! JSON request bodies: objects only, JSON Schema's idea of an integer, and
//! every failure as problem+json.

use actix_web::dev::Payload;
use actix_web::error::JsonPayloadError;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// Every way a JSON body can fail, as problem+json: 413, 415 or 400.
pub fn json_error(err: JsonPayloadError) -> AppError {
    use JsonPayloadError as E;
    match err {
        E::Overflow { limit } | E::OverflowKnownLength { limit, .. } => {
            AppError::PayloadTooLarge(limit)
        }
        E::ContentType => AppError::UnsupportedMediaType,
        E::Deserialize(e) => {
            let text = e.to_string();
            let code = if text.starts_with("unknown field") {
                "unknown_field"
            } else if e.is_data() {
                "invalid_value"
            } else {
                "invalid_json"
            };
            let field = text
                .split('`')
                .nth(1)
                .filter(|_| code == "unknown_field")
                .unwrap_or("body")
                .to_string();
            AppError::InvalidParameters(vec![FieldError::new(
                &field,
                code,
                format!("The JSON body is not accepted: {text}."),
                format!("جسم الطلب غير مقبول: {text}."),
            )])
        }
        other => AppError::InvalidParameters(vec![FieldError::new(
            "body",
            "invalid_json",
            format!("The JSON body is malformed: {other}."),
            format!("جسم الطلب ليس JSON صالحاً: {other}."),
        )]),
    }
}

/// A JSON object body deserialised into `T`. Unlike `web::Json`, a JSON array
/// is refused (serde would read `[…]` into a struct field by field), and
/// numbers such as `3.0` count as the integers JSON Schema says they are.
pub struct JsonObject<T>(pub T);

impl<T> JsonObject<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// `3.0` → `3`, recursively (hand-written: serde_json has no such option).
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
                    *value = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonObject<T> {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let mut value = json.await?.into_inner();
            if !value.is_object() {
                return Err(AppError::InvalidParameters(vec![FieldError::new(
                    "body",
                    "invalid_json",
                    "The JSON body must be an object.",
                    "يجب أن يكون جسم الطلب كائن JSON.",
                )])
                .into());
            }
            integral_floats_to_integers(&mut value);
            serde_json::from_value(value)
                .map(JsonObject)
                .map_err(|e| json_error(JsonPayloadError::Deserialize(e)).into())
        })
    }
}
