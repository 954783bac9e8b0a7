//! Deserialising records the way the schema reads them.
//!
//! serde's derive accepts a struct written as a JSON array of its fields in
//! order (`["ceasefire", null, "Once a truce holds."]` for a condition),
//! which the schema refuses. [`Object`] and the field helpers here accept a
//! struct only as a JSON object, so that the types and the schema agree.

use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A `T` read from a JSON object only.
#[derive(Debug)]
#[repr(transparent)]
pub(crate) struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectVisitor(PhantomData))
            .map(Object)
    }
}

/// Reads `T` from a JSON object only (`deserialize_with`).
pub(crate) fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Object::<T>::deserialize(deserializer).map(|o| o.0)
}

/// Reads null, or `T` from a JSON object. Fields read with it also carry
/// `#[serde(default)]`, so that a missing field is null as for any `Option`,
/// and `#[schemars(skip_serializing_if = "Option::is_none")]`, so that the
/// schema does not gain a `default` for it.
pub(crate) fn optional_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<Object<T>>::deserialize(deserializer).map(|o| o.map(|o| o.0))
}

/// Reads a list of JSON objects, without spare capacity.
pub(crate) fn objects<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let items = Vec::<Object<T>>::deserialize(deserializer)?;
    // `Object<T>` has `T`'s layout, so this reuses the allocation.
    let mut items: Vec<T> = items.into_iter().map(|o| o.0).collect();
    items.shrink_to_fit();
    Ok(items)
}

/// Reads a list of at least one JSON object (the schema says
/// `minItems: 1`).
pub(crate) fn non_empty_objects<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    super::at_least_one(objects(deserializer)?)
}
