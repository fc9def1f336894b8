//! Value conversion between SQLite storage and Ferry's typed values.
//!
//! OWNER: helper "values" (stub until then).
