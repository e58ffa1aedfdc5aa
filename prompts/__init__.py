"""Question banks and note templates, data only; shipped as the package data "practice.prompts"."""
