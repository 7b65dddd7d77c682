"""The interview: the only package that imports questionary and prompt_toolkit."""
