"""`rasa data validate`, strict, except for responses that code uses by name.

Rasa's validator counts a response as used only when a story or rule names it; responses
sent by custom actions (actions/*.py) and a form's `utter_ask_<slot>` questions are used
too. Any other warning fails.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
UNUSED = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule\.")
WARNING = re.compile(r"UserWarning: (.+)")


def responses_used_by_code() -> set:
    code = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "actions").glob("*.py"))
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    asked = {f"utter_ask_{slot}" for slot in domain.get("slots", {})}
    return set(re.findall(r"utter_\w+", code)) | asked


def main() -> int:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "data", "validate", "--domain", "bot/domain.yml",
         "--data", "nlu_data", "--config", "config.yml"],
        cwd=ROOT, capture_output=True, text=True,
    )
    used = responses_used_by_code()
    problems = [
        warning for warning in WARNING.findall(result.stdout + result.stderr)
        if not (UNUSED.search(warning) and UNUSED.search(warning).group(1) in used)
    ]
    for problem in problems:
        print(problem)
    if result.returncode != 0 and not problems:
        print(result.stdout[-4000:] + result.stderr[-4000:])
    return 1 if problems or result.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
