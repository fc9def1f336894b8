//! OWNER: helper "sqlite" (stub until then).
