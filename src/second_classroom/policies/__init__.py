"""The school's rules, as data (the Rulebook) and pure functions over it."""
