#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter, or explain how to get one.
# Rasa Open Source 3.6 supports Python 3.8-3.10 only.
set -euo pipefail
for candidate in "${PYTHON310:-}" python3.10; do
  if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v "$candidate"; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  for candidate in "$(pyenv root)"/versions/3.10*/bin/python3.10; do
    if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
  done
fi
cat >&2 <<'MSG'
Python 3.10 was not found. Rasa Open Source 3.6 runs on Python 3.8-3.10 only.
Install it, then run make again, for example:
  pyenv install 3.10        (with pyenv), or
  apt-get install python3.10 python3.10-venv   (where your distribution has it)
or point to one explicitly: make PYTHON310=/path/to/python3.10 ...
MSG
exit 1
