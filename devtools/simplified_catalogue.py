"""Write the Simplified Chinese catalogue (locale/zh_Hans) from the Traditional one.

The interface is translated once, into Traditional Chinese as Hong Kong writes it;
the Simplified catalogue is that text converted with OpenCC (hk2s: characters only,
Hong Kong wording kept), so the two never drift apart. `make messages` runs this
after makemessages; tests/test_i18n.py checks that every message is translated.

    .venv/bin/python devtools/simplified_catalogue.py
"""

from pathlib import Path

import opencc
import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"
SOURCE = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"
TARGET = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
CONFIG = "hk2s"


def simplified(source=SOURCE, config=CONFIG):
    """The catalogue at `source` with every translation converted by OpenCC."""
    convert = opencc.OpenCC(config).convert
    catalogue = polib.pofile(str(source))
    catalogue.header = (
        "Simplified Chinese for the HKAI reader interface.\n"
        f"Generated from locale/zh_Hant by devtools/simplified_catalogue.py (OpenCC {config}):"
        "\nedit the Traditional catalogue, then run `make messages`."
    )
    catalogue.metadata["Language"] = "zh_Hans"
    for entry in catalogue:
        entry.msgstr = convert(entry.msgstr)
        entry.msgstr_plural = {n: convert(text) for n, text in entry.msgstr_plural.items()}
    return catalogue


def main():
    catalogue = simplified()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    catalogue.save(str(TARGET))
    catalogue.save_as_mofile(str(TARGET.with_suffix(".mo")))
    print(f"{TARGET.relative_to(LOCALE.parent)}: {len(catalogue)} messages")


if __name__ == "__main__":
    main()
