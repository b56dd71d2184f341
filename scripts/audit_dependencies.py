"""Audit the installed dependencies for known vulnerabilities (`make lint` runs it).

Runs pip-audit over the virtualenv's packages (all but this project, which is not on
PyPI) and fails on any known vulnerability. When the vulnerability database cannot be
reached (a mirror without advisories, no network), pip-audit can only skip packages: this
says so loudly and, unless PORTAL_AUDIT_STRICT=1, does not fail the lint for it, so an
offline machine can still lint; CI with access to PyPI's advisories gets the real check.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def main() -> int:
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    audit = subprocess.run(  # noqa: S603 - fixed arguments, our own venv
        [str(VENV_BIN / "pip-audit"), "--disable-pip", "--no-deps", "--format", "json",
         "--progress-spinner", "off", "--requirement", "/dev/stdin"],
        input=frozen, capture_output=True, text=True,
    )  # fmt: skip
    try:
        report = json.loads(audit.stdout)
    except json.JSONDecodeError:
        print(audit.stderr or audit.stdout, file=sys.stderr)
        print("dependency audit: pip-audit did not run", file=sys.stderr)
        return 1
    packages = report.get("dependencies", [])
    vulnerable = [p for p in packages if p.get("vulns")]
    skipped = [p for p in packages if p.get("skip_reason")]
    for package in vulnerable:
        for vuln in package["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
            print(f"VULNERABLE {package['name']} {package['version']}: {vuln['id']} "
                  f"(fixed in {fixed})")  # fmt: skip
    checked = len(packages) - len(skipped)
    print(f"dependency audit: {checked} of {len(packages)} packages checked, "
          f"{len(vulnerable)} with known vulnerabilities")  # fmt: skip
    if skipped:
        reason = skipped[0]["skip_reason"]
        print(f"WARNING: {len(skipped)} packages could not be checked ({reason}). The "
              "vulnerability database is unreachable from here; run `make lint` where "
              "PyPI's advisories are reachable.", file=sys.stderr)  # fmt: skip
        if os.environ.get("PORTAL_AUDIT_STRICT") == "1":
            return 1
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
