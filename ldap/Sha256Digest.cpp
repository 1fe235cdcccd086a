// SPDX-License-Identifier: Apache-2.0
#include "Sha256Digest.h"

#include <openssl/evp.h>

namespace sunset {

struct Sha256Digest::Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256Digest::Sha256Digest() : m_context(std::make_unique<Context>())
{
    // Allocation failure only: then every call below fails too, and result() is empty (never equal to a digest).
    if (m_context->ctx && EVP_DigestInit_ex(m_context->ctx, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(m_context->ctx);
        m_context->ctx = nullptr;
    }
}

Sha256Digest::~Sha256Digest() = default;

void Sha256Digest::addData(QByteArrayView data)
{
    if (m_context->ctx && !data.isEmpty())
        EVP_DigestUpdate(m_context->ctx, data.data(), size_t(data.size()));
}

QByteArray Sha256Digest::result()
{
    QByteArray digest(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int size = 0;
    if (!m_context->ctx ||
        EVP_DigestFinal_ex(m_context->ctx, reinterpret_cast<unsigned char*>(digest.data()), &size) != 1)
        return {};
    digest.resize(qsizetype(size));
    return digest;
}

QByteArray Sha256Digest::hash(QByteArrayView data)
{
    Sha256Digest digest;
    digest.addData(data);
    return digest.result();
}

} // namespace sunset
