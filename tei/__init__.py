"""Schema assets (our RelaxNG customisation, Schematron, the vendored tei_all.rng); a package only so an installed `edition` can find them."""
