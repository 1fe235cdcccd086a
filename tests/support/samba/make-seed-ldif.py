#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the LDIF that seeds the test domain: remote mailboxes as Exchange hybrid leaves them in AD, plus the
awkward cases Sunset must read byte-exact (escaped and non-ASCII DNs, base64 values, leading/trailing spaces,
multi-valued custom attributes, a mailbox with 1,600 proxyAddresses, objects that are not mailboxes).

Usage: make-seed-ldif.py BASE_DN MAILBOXES > seed.ldif
Deterministic: the same arguments give the same file, so a failing test can be reproduced from it.
"""
import base64
import hashlib
import sys

base_dn = sys.argv[1]
count = int(sys.argv[2])
tenant = "sunsettest.mail.onmicrosoft.com"
domain = "sunset.test"
ou = f"OU=Remote Mailboxes,{base_dn}"

REMOTE_USER, REMOTE_SHARED, REMOTE_ROOM = "2147483648", "34359738368", "8589934592"
DISPLAY_SYNCED_USER = "-2147483642"


def needs_base64(value: str) -> bool:
    # RFC 2849 SAFE-STRING: no leading space, colon or '<'; no trailing space; ASCII without NUL/CR/LF.
    if not value:
        return False
    if value[0] in " :<" or value[-1] == " ":
        return True
    return any(ord(c) > 126 or c in "\0\r\n" for c in value)


def line(name: str, value) -> str:
    if isinstance(value, bytes):
        return f"{name}:: {base64.b64encode(value).decode()}"
    if needs_base64(value):
        return f"{name}:: {base64.b64encode(value.encode()).decode()}"
    return f"{name}: {value}"


def entry(dn: str, attributes) -> str:
    lines = [line("dn", dn)]
    for name, value in attributes:
        lines.append(line(name, value))
    return "\n".join(lines) + "\n\n"


def guid_bytes(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()[:16]


def mailbox(sam: str, display: str, *, kind=REMOTE_USER, extra=()):
    alias = sam
    attributes = [
        ("objectClass", "user"),
        ("sAMAccountName", sam),
        ("userPrincipalName", f"{alias}@{domain}"),
        ("displayName", display),
        ("mail", f"{alias}@{domain}"),
        ("mailNickname", alias),
        ("proxyAddresses", f"SMTP:{alias}@{domain}"),
        ("proxyAddresses", f"smtp:{alias}@{tenant}"),
        ("targetAddress", f"SMTP:{alias}@{tenant}"),
        ("msExchRecipientTypeDetails", kind),
        ("msExchRecipientDisplayType", DISPLAY_SYNCED_USER),
        ("msExchRemoteRecipientType", {REMOTE_USER: "4", REMOTE_SHARED: "100", REMOTE_ROOM: "36"}[kind]),
    ]
    attributes.extend(extra)
    return attributes


out = sys.stdout
out.write(entry(ou, [("objectClass", "organizationalUnit"), ("ou", "Remote Mailboxes"),
                     ("description", "Sunset test domain: remote mailboxes")]))
out.write(entry(f"OU=Sales,{ou}", [("objectClass", "organizationalUnit"), ("ou", "Sales")]))

# The bulk: more than one page of a paged search.
for i in range(1, count + 1):
    sam = f"mbx{i:05d}"
    kind = REMOTE_SHARED if i % 10 == 0 else (REMOTE_ROOM if i % 37 == 0 else REMOTE_USER)
    extra = [("extensionAttribute1", f"Dept-{i % 12:02d}")]
    if i % 3 == 0:  # ms-DS-ConsistencyGuid on some objects only
        extra.append(("mS-DS-ConsistencyGuid", guid_bytes(sam)))
    if i % 5 == 0:  # multi-valued custom attribute
        extra += [("msExchExtensionCustomAttribute1", f"Project-{i % 4}"),
                  ("msExchExtensionCustomAttribute1", f"Site-{i % 6}")]
    if i % 7 == 0:
        extra.append(("msExchHideFromAddressLists", "TRUE"))
    if i % 11 == 0:
        extra.append(("msDS-ExternalDirectoryObjectId", "User_" + guid_bytes("cloud-" + sam).hex()[:8] + "-"
                      + "0000-4000-8000-" + guid_bytes("cloud-" + sam).hex()[8:20]))
    out.write(entry(f"CN=Mailbox {i:05d},{ou}", mailbox(sam, f"Mailbox {i:05d}", kind=kind, extra=extra)))

# DNs that need escaping (RFC 4514) and non-ASCII, in a sub-OU.
sales = f"OU=Sales,{ou}"
special = [
    (f"CN=Müller\\, Jürgen,{sales}", "mueller.j", "Jürgen Müller",
     [("extensionAttribute2", "  leading and trailing  "), ("mS-DS-ConsistencyGuid", guid_bytes("mueller"))]),
    (f"CN=Smith \\+ Jones,{sales}", "smith.jones", "Smith + Jones",
     [("extensionAttribute2", "trailing space "), ("extensionAttribute3", " leading space")]),
    (f"CN=\\#Hashtag Team,{sales}", "hashtag", "#Hashtag Team",
     [("extensionAttribute3", "line one\nline two"), ("extensionAttribute4", ":starts with a colon")]),
    (f"CN=O'Brien\\, Seán \\<Ops\\>,{sales}", "obrien.s", "Seán O'Brien",
     [("extensionAttribute4", "<starts with angle"), ("extensionAttribute5", "日本語の値"),
      ("msExchExtensionCustomAttribute1", "Émile"), ("msExchExtensionCustomAttribute1", " spaced "),
      ("msExchExtensionCustomAttribute1", "plain")]),
    (f"CN=Semi\\;colon \\\"Quoted\\\",{sales}", "semicolon", "Semi;colon \"Quoted\"", []),
]
for dn, sam, display, extra in special:
    out.write(entry(dn, mailbox(sam, display, extra=extra)))

# One mailbox with 1,600 proxyAddresses: beyond AD's 1,500-value range limit.
big = mailbox("big.aliases", "Big Aliases", kind=REMOTE_SHARED)
big += [("proxyAddresses", f"smtp:alias{k:04d}@{domain}") for k in range(1, 1599)]
out.write(entry(f"CN=Big Aliases,{ou}", big))

# Not mailboxes: a user without Exchange attributes, and a contact-like OU child container.
out.write(entry(f"CN=Plain User,{ou}", [("objectClass", "user"), ("sAMAccountName", "plain.user"),
                                        ("userPrincipalName", f"plain.user@{domain}"), ("displayName", "Plain User")]))
