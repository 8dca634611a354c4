//! Statutory returns (CIN census, SSDA903, Annex A). Empty until the returns issue; must not do I/O beyond its inputs and outputs.
