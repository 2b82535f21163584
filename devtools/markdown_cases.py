"""Section bodies that are slowest for Markdown parsers, each as long as a section may
be: runs of the characters that open or close markup, nesting as deep as the length
allows, and constructs that make a parser look ahead. tests/test_markdown.py renders
each under a bound; bench/markdown_worst_case.py prints their times."""

from articles.limits import SECTION_BODY_MAX_LENGTH


def _fill(unit, length):
    return (unit * (length // len(unit) + 1))[:length]


PATTERNS = {
    "[": "[",
    "![": "![",
    "[ newline": "[\n",
    "[a](": "[a](",
    "[a][": "[a][",
    "[](": "[](",
    "*": "*",
    "*a": "*a",
    "**a": "**a",
    "_": "_",
    "a_": "a_",
    "`": "`",
    "`a": "`a",
    "<": "<",
    "<a": "<a",
    "<!--": "<!--",
    "&": "&",
    "&#": "&#",
    "!": "!",
    "\\": "\\",
    "~~a": "~~a",
    ">": ">",
    "> ": "> ",
    "- ": "- ",
    "1. ": "1. ",
    "|": "|a\n",
    "[x]: y": "[x]: y\n",
}


def worst_cases(length=SECTION_BODY_MAX_LENGTH):
    """{name: body} with every body exactly `length` characters long."""
    cases = {name: _fill(unit, length) for name, unit in PATTERNS.items()}
    nested_quotes = "\n".join(">" * depth + " x" for depth in range(1, 2000))
    cases["nested quotes"] = _fill(nested_quotes + "\n", length)
    nested_lists = "\n".join("  " * depth + "- x" for depth in range(400))
    cases["nested lists"] = _fill(nested_lists + "\n", length)
    for name, width in (("widest kept table", 500), ("wide table", 1_000)):
        row = "|" + "a|" * width + "\n"
        cases[name] = _fill(row + "|" + "-|" * width + "\n" + row * (length // width), length)
    cases["widest table"] = "|" + "a|" * (length // 4 - 1) + "\n|" + "-|" * (length // 4 - 1)
    cases["widest table"] = cases["widest table"].ljust(length, "\n")
    return cases
