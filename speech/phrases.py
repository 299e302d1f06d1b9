"""The domain phrase list that adapts the recogniser to a service centre (a Vosk grammar).

Phrases come from the knowledge base (procedure names and aliases, read from the staff
API or given) and from the NLU training examples, in their spoken form: lowercase,
entity annotations removed, chat shorthand written out ('đk' -> 'đăng ký').
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Callable, Iterable, List, Mapping, Optional, Sequence

import httpx
import yaml

from procedure_kb.settings import PROJECT_ROOT
from procedure_kb.text import expand_teencode

NLU_DIR = PROJECT_ROOT / "nlu_data" / "nlu"
# '[khai sinh](procedure)' or '[khai sinh]{"entity": "procedure"}' -> 'khai sinh'
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_WORD = re.compile(r"\w+")


def spoken_form(text: str) -> str:
    """How the text sounds as words: 'Làm [khai sinh](procedure) đk?' -> 'làm khai sinh đăng ký'."""
    plain = _ANNOTATION.sub(r"\1", unicodedata.normalize("NFC", text)).lower()
    return " ".join(expand_teencode(word) for word in _WORD.findall(plain))


def nlu_examples(directory: Path = NLU_DIR) -> List[str]:
    """The training examples of the Rasa NLU files in `directory` (regexes left out)."""
    examples: List[str] = []
    for path in sorted(directory.glob("*.yml")):
        items = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []
        for item in items:
            if "regex" not in item:
                examples.extend(_example_lines(item.get("examples", "")))
    return examples


def procedure_names(procedures: Iterable[Mapping[str, object]]) -> List[str]:
    """Names and aliases of procedures shaped as the staff API returns them."""
    names: List[str] = []
    for procedure in procedures:
        names.append(str(procedure["name"]))
        names.extend(str(alias) for alias in procedure.get("aliases") or [])
    return names


def fetch_procedure_names(api_url: str, client: Optional[httpx.Client] = None) -> List[str]:
    """Names and aliases of all active procedures from the public `GET /api/procedures`."""
    url = f"{api_url.rstrip('/')}/api/procedures"
    response = client.get(url) if client else httpx.get(url, timeout=10.0)
    response.raise_for_status()
    return procedure_names(response.json())


def build_phrases(
    procedure_texts: Iterable[str] = (), nlu_directory: Optional[Path] = NLU_DIR
) -> List[str]:
    """Spoken forms of procedure names/aliases and NLU examples, deduplicated, in order.

    `nlu_directory=None` leaves the NLU examples out.
    """
    texts = list(procedure_texts)
    if nlu_directory is not None:
        texts.extend(nlu_examples(nlu_directory))
    return _unique(spoken_form(text) for text in texts)


def restrict_to_vocabulary(phrases: Sequence[str], is_known: Callable[[str], bool]) -> List[str]:
    """The phrases without the words the model does not know (as Vosk would drop them,
    but silently); phrases left empty are removed."""
    return _unique(" ".join(word for word in phrase.split() if is_known(word)) for phrase in phrases)


def _example_lines(block: str) -> List[str]:
    lines = (line.strip() for line in block.splitlines())
    return [line[2:].strip() for line in lines if line.startswith("- ")]


def _unique(phrases: Iterable[str]) -> List[str]:
    return list(dict.fromkeys(phrase for phrase in phrases if phrase))
