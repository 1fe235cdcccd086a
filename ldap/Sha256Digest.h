// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

namespace sunset {

// SHA-256 through OpenSSL: the AD entries kept for incremental rescans are hashed when written and checked when
// read, tens of megabytes at 20,000 mailboxes. Qt 6.4's QCryptographicHash::Sha256 is a portable C version
// (measured 71 MB/s on the 2-core development VM, OpenSSL 781 MB/s with the CPU's SHA extensions), which made
// hashing most of a rescan's time.
class Sha256Digest final {
public:
    Sha256Digest();
    ~Sha256Digest();
    Sha256Digest(const Sha256Digest&) = delete;
    Sha256Digest& operator=(const Sha256Digest&) = delete;

    void addData(QByteArrayView data);
    QByteArray result(); // the 32-byte digest; the object is spent
    static QByteArray hash(QByteArrayView data);

private:
    struct Context;
    std::unique_ptr<Context> m_context;
};

} // namespace sunset
