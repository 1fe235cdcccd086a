// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>
#include <vector>

namespace sunset {

// Escaping and parsing of the two LDAP string forms a value can end up in. Pure functions over UTF-8 bytes;
// every value that reaches a filter or a DN goes through them.

// RFC 4515: a value inside a filter assertion, e.g. the "x" of "(mail=x)". Escapes '*', '(', ')', '\' and NUL
// as \2a \28 \29 \5c \00, and every byte of invalid UTF-8 as \XX, so that binary values (objectGUID) can be
// searched for too. Valid UTF-8 is kept as it is.
QByteArray escapeFilterValue(QByteArrayView value);

// The filter that finds the objects holding an SMTP address, as their mail or as one of their proxyAddresses
// (AD matches proxyAddresses case-insensitively, so "smtp:" finds "SMTP:" too): the writeback's check that an
// address it adds belongs to no other object. The address goes in only through escapeFilterValue, so whatever
// it holds (*, (, ), \, non-ASCII) it stays one value of two equality assertions. nullopt for an address with
// a NUL byte: no address holds one, and Samba cuts an assertion value at its escaped \00, so such a search
// would find the holder of the address before the NUL.
std::optional<QByteArray> addressHolderFilter(QByteArrayView address);

// Every byte as \XX: for binary attribute values (objectGUID, ms-DS-ConsistencyGuid, objectSid).
QByteArray escapeFilterBytes(QByteArrayView bytes);

// One attribute type and value of a relative distinguished name, the value unescaped (raw UTF-8 bytes).
struct DnAttribute {
    QByteArray type;  // as written: "CN", "ou", or a dotted OID
    QByteArray value; // unescaped; for a "#hex" value (RFC 4514 BER form), the decoded BER bytes
    bool berEncoded = false;

    friend bool operator==(const DnAttribute&, const DnAttribute&) = default;
};
// "CN=a+UID=b": usually one attribute, several when '+' joins them (multi-valued RDN).
using Rdn = std::vector<DnAttribute>;
using Dn = std::vector<Rdn>; // leaf first, as written

// RFC 4514 parsing, lenient where directories are (AD and RFC 2253 writers): spaces around ',', '+' and '='
// are ignored, ';' separates RDNs like ',', and an unescaped trailing space of a value is dropped. Escapes
// \<special> and \XX (hex pairs, which may spell UTF-8) are undone. nullopt when the text is not a DN; the
// empty string is the empty DN (the root DSE).
std::optional<Dn> parseDn(QByteArrayView text);

// RFC 4514 escaping of one attribute value: '"', '+', ',', ';', '<', '>', '\' and, at the start, '#' or space,
// at the end a space, are backslash-escaped; NUL becomes \00. Non-ASCII UTF-8 is kept as it is.
QByteArray escapeDnValue(QByteArrayView value);

// The string form of a DN (RFC 4514, with escapeDnValue), e.g. to build "CN=Müller\, Jürgen,OU=Sales,DC=x".
QByteArray formatDn(const Dn& dn);

// Whether two DN strings name the same entry as AD compares them: types and values case-insensitively (ASCII
// letters), whatever escaping each used ("\2C" and "\,"). False if either is not a DN.
bool sameDn(QByteArrayView a, QByteArrayView b);

} // namespace sunset
