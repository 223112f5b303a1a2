# C unit tests of the core helpers.
"$OUTPUT/tests/tools/unit_tests"
