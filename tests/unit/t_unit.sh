# C unit tests of the core helpers.
"$OUTPUT/tests/unit/unit_tests"
