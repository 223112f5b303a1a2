# Version rules: parser table (bad rules refused), command-line form, matcher
# (tests/unit/vrule.c).
"$OUTPUT/tests/unit/vrule"
