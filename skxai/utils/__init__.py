"""Utilities shared by every explainer family: parameter validation, the common vocabulary, discovery."""
