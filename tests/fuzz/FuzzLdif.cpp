// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: an LDIF export of AD as an admin might hand Sunset (ldap/LdifReader + AdSnapshotReader).
// Whatever the bytes, the read ends with a snapshot or an ImportError; no crash, no hang, no sanitizer report.
#include "AdSnapshotReader.h"
#include "LdifReader.h"

#include <QString>

#include <cstddef>
#include <cstdint>

using namespace Qt::Literals::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    // The reader alone, every entry visited (views read in full so ASan sees any stale one) ...
    sunset::LdifReader reader(bytes, u"fuzz.ldif"_s);
    size_t checksum = 0;
    (void)reader.read([&](const sunset::LdifEntry& entry) -> sunset::Result<void> {
        checksum += size_t(entry.dn.size());
        for (const sunset::LdifAttribute& attribute : entry.attributes)
            for (char c : attribute.value)
                checksum += static_cast<unsigned char>(c);
        return {};
    });
    // ... and the AD snapshot on top of it (ranged attributes, GUIDs, catalog values).
    const sunset::Result<sunset::Snapshot> snapshot = sunset::readAdSnapshotFromLdif(bytes, u"fuzz.ldif"_s);
    if (!snapshot)
        (void)snapshot.error().toString();
    static volatile size_t sink;
    sink = checksum;
    return 0;
}
