#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the fuzzers' seed corpora (tests/fuzz/corpus/<target>/) from the demo tenant (resources/demo) and the
test fixtures (tests/data), trimmed to a few entries each so that every seed is a few KiB, plus hand-made
inputs for the corners the demo files do not show. Re-run after the demo tenant's format changes:
    tests/fuzz/make-seeds.py
"""
import json
import pathlib
import shutil

root = pathlib.Path(__file__).resolve().parents[2]
out = root / "tests/fuzz/corpus"
demo = root / "resources/demo"


def write(target, name, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / name).write_bytes(data)


shutil.rmtree(out, ignore_errors=True)

# LDIF: the header and the first mailbox entries of the demo export, and the forms the reader handles.
ldif = (demo / "demo-ad.ldif").read_text(encoding="utf-8")
records = ldif.split("\n\n")
mailboxes = [r for r in records if "proxyAddresses" in r]
write("FuzzLdif", "demo-head.ldif", "\n\n".join(records[:2] + mailboxes[:2]) + "\n")
write("FuzzLdif", "demo-utf16.ldif", b"\xff\xfe" + ("\n\n".join(records[:1] + mailboxes[:1]) + "\n").encode("utf-16-le"))
write("FuzzLdif", "ranged.ldif", """version: 1
dn: CN=Ann,OU=Staff,DC=contoso,DC=com
objectClass: user
homeMDB: CN=DB01
userPrincipalName: ann@contoso.com
objectGUID:: L1DE2qCN/Gu3PMDU6zsLKg==
mS-DS-ConsistencyGuid:: L1DE2qCN/Gu3PMDU6zsLKg==
proxyAddresses;range=0-1: SMTP:ann@contoso.com
proxyAddresses;range=0-1: smtp:a@contoso.com

dn: CN=Ann,OU=Staff,DC=contoso,DC=com
proxyAddresses;range=2-*: smtp:ann2@contoso.com
displayName:: QW5uIE3DvGxsZXI=
extensionAttribute1: folded
 value continues
""")
write("FuzzLdif", "ldapsearch.ldif", """# extended LDIF
#
# LDAPv3
dn: CN=B\\, C,DC=x
objectClass: user
mail: b@x
msExchRecipientTypeDetails: 1

# search result
search: 2
result: 0 Success
""")

# Get-Mailbox JSON: the first mailboxes of the demo file, a single object, and the fixtures.
exo = json.loads((demo / "demo-exo.json").read_text(encoding="utf-8"))
write("FuzzExoJson", "demo-head.json", json.dumps(exo[:2], indent=2))
write("FuzzExoJson", "single.json", json.dumps(exo[2]))
write("FuzzExoJson", "utf16.json", b"\xff\xfe" + json.dumps(exo[:1]).encode("utf-16-le"))
for f in (root / "tests/data/exo").glob("*.json"):
    write("FuzzExoJson", f.name, f.read_bytes()[:8192])

# Export-Csv: header and three rows; ';' and '|' separated multi-values (first byte '|' picks '|').
csv_lines = (demo / "demo-exo.csv").read_text(encoding="utf-8").splitlines()
write("FuzzExoCsv", "demo-head.csv", "\n".join(csv_lines[:4]) + "\n")
write("FuzzExoCsv", "typed-usculture.csv", '#TYPE Selected.Microsoft.Exchange.Data.Directory.Management.Mailbox\n' +
      "\n".join(l.replace('","', '";"') for l in csv_lines[:3]) + "\n")
write("FuzzExoCsv", "pipe.csv", "|" + "\n".join(csv_lines[:2]).replace(";", "|") + "\n")
write("FuzzExoCsv", "quoted.csv", '"DisplayName","Alias","EmailAddresses"\n"A ""q""\nline","a","SMTP:a@x;smtp:b@x"\n')

# Cloud pages: a Graph users page (with @odata annotations), a delta page, the admin API page fixture.
graph = json.loads((demo / "demo-graph.json").read_text(encoding="utf-8"))
page = dict(graph[0])
page["value"] = page["value"][:2]
page["@odata.count"] = 3001
page["@odata.nextLink"] = "https://graph.microsoft.com/v1.0/users?$skiptoken=X"
write("FuzzCloudPage", "graph-users.json", json.dumps(page, indent=1))
write("FuzzCloudPage", "graph-delta.json", json.dumps({
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
    "@odata.deltaLink": "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=Y",
    "value": [page["value"][0], {"id": "0c1d", "@removed": {"reason": "changed"}}]}))
write("FuzzCloudPage", "adminapi-page.json", (root / "tests/data/exo/adminapi-page.json").read_bytes())
write("FuzzCloudPage", "exo-page.json", json.dumps({
    "@odata.context": "https://outlook.office365.com/adminapi/beta/x/$metadata#Collection(Exchange.GenericHashTable)",
    "adminapi.warnings@odata.type": "#Collection(String)", "adminapi.warnings": [],
    "@odata.nextLink": "https://outlook.office365.com/adminapi/beta/x/InvokeCommand?$skiptoken=Z",
    "value": exo[:2]}))

# Token endpoint answers: success, AADSTS failure (first byte < 0x20 picks an error status), odd lifetimes.
write("FuzzTokenAnswer", "ok.json", '{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi.eyJhdWQi.c2ln"}')
write("FuzzTokenAnswer", "string-lifetime.json", '{"token_type":"Bearer","expires_in":"3599","access_token":"abc"}')
write("FuzzTokenAnswer", "big-lifetime.json", '{"token_type":"Bearer","expires_in":1e18,"access_token":"abc"}')
write("FuzzTokenAnswer", "aadsts.json", b"\x00" + b'{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}')
write("FuzzTokenAnswer", "html.txt", b"\x04<html><body>Service Unavailable</body></html>")

# DNs: from the demo export, with escapes, multi-valued RDNs, BER values and quoted (RFC 2253) values.
for i, dn in enumerate([
        "CN=Ethan Fischer,OU=Sales,OU=Staff,DC=contoso,DC=com",
        "CN=M\\C3\\BCller\\, J\\C3\\BCrgen,OU=Sales,DC=contoso,DC=com",
        "CN=a+UID=b;OU=x , DC=y",
        "1.3.6.1.4.1.1466.0=#04024869,DC=example",
        'CN="Smith, J",DC=x',
        "CN=\\ leading and trailing\\ ,DC=x",
        "CN=\\#hash\\+plus\\<lt\\>gt\\;semi\\\"q\\\\bs,DC=x",
        ""]):
    write("FuzzDn", f"dn{i}.txt", dn)

# Filter values: search terms an admin might type or a file might hold.
for i, v in enumerate([b"ann@contoso.com", b"*", b"*)(objectClass=*", b"a\\2a", b"x)(|(mail=*",
                       b"\x00", "Jürgen Müller".encode(), b"\xff\xfe bad utf8 \xc3", b"(&(a=b))", b"\\"]):
    write("FuzzFilterEscape", f"value{i}.txt", v)

# Proxy addresses: pairs separated by NUL.
for i, (a, b) in enumerate([("SMTP:ann@contoso.com", "smtp:ann@contoso.com"),
                            ("smtp:Ann@Contoso.com", "SMTP:ann@contoso.com"),
                            ("X500:/o=Org/ou=Exchange/cn=Recipients/cn=ann", "x500:/O=ORG/OU=EXCHANGE/CN=RECIPIENTS/CN=ANN"),
                            ("sip:ann@contoso.com", "SIP:ann@contoso.com"),
                            ("no-prefix@contoso.com", "NO-PREFIX@contoso.com"),
                            ("smtp:jürgen@contoso.com", "smtp:JÜRGEN@contoso.com"),
                            ("smtp:\u212aelvin@x", "smtp:kelvin@x"),
                            ("toolongprefix:x", "TOOLONGPREFIX:x")]):
    write("FuzzProxyAddress", f"pair{i}.txt", a.encode() + b"\x00" + b.encode())
