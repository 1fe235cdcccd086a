// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: RFC 4514 DNs (ldap/LdapEscape). Properties, each a crash when broken:
// - any text: parseDn ends; a DN it accepts, written back with formatDn, parses to the same DN;
// - any value: escapeDnValue then parseDn of "CN=<escaped>,OU=x" gives exactly that value back, in one RDN;
// - sameDn is reflexive for every DN parseDn accepts.
#include "LdapEscape.h"

#include <QString>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char*>(data), qsizetype(size));

    if (const std::optional<sunset::Dn> dn = sunset::parseDn(bytes)) {
        const QByteArray written = sunset::formatDn(*dn);
        const std::optional<sunset::Dn> again = sunset::parseDn(written);
        if (!again || *again != *dn)
            __builtin_trap(); // formatDn wrote something that does not read back as the same DN
        if (!sunset::sameDn(bytes, bytes) || !sunset::sameDn(bytes, written))
            __builtin_trap();
    }

    const QByteArray dnText = QByteArray("CN=") + sunset::escapeDnValue(bytes) + ",OU=x";
    const std::optional<sunset::Dn> built = sunset::parseDn(dnText);
    if (!built || built->size() != 2 || (*built)[0].size() != 1 || (*built)[0][0].value != bytes ||
        (*built)[0][0].berEncoded || (*built)[1].size() != 1 || (*built)[1][0].value != "x")
        __builtin_trap(); // the escaped value changed the DN's structure or did not come back unchanged
    return 0;
}
