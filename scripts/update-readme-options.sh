#!/usr/bin/env bash
# Regenerates the option table in README.md (between the options:begin/end markers) from the
# option table the launcher really parses with. launcher's ReadmeOptionsTest fails when they drift.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -q -B -DskipTests -pl launcher -am package
gen="$(mktemp -d)/GenOptions.java"
cat > "$gen" <<'JAVA'
public class GenOptions {
    public static void main(String[] args) {
        System.out.print(io.corerouter.core.config.RouterConfig.optionTable().renderMarkdown());
    }
}
JAVA
table="$(java -cp launcher/target/corerouter.jar "$gen")"
python3 - "$table" <<'PY'
import re, sys
table = sys.argv[1].rstrip("\n")
readme = open("README.md").read()
new = re.sub(r"(<!-- options:begin -->\n).*?(<!-- options:end -->)",
             lambda m: m.group(1) + table + "\n" + m.group(2), readme, flags=re.S)
open("README.md", "w").write(new)
PY
echo "README.md option table updated"
