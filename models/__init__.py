"""The model catalogue (catalogue.toml), shipped as package data practice.catalogue."""
