// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

namespace sunset {

// A throwaway self-signed RSA certificate, as an admin would upload to an app registration.
struct TestCertificate {
    QByteArray keyPem;
    QByteArray certificatePem;
    QByteArray certificateDer;

    // The same key and certificate as a .pfx, as the Windows certificate export writes it.
    QByteArray toPkcs12(const char* password) const
    {
        BIO* keyBio = BIO_new_mem_buf(keyPem.constData(), int(keyPem.size()));
        EVP_PKEY* key = PEM_read_bio_PrivateKey(keyBio, nullptr, nullptr, nullptr);
        BIO_free(keyBio);
        BIO* certBio = BIO_new_mem_buf(certificatePem.constData(), int(certificatePem.size()));
        X509* cert = PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr);
        BIO_free(certBio);
        PKCS12* p12 = PKCS12_create(password, "sunset", key, cert, nullptr, 0, 0, 0, 0, 0);
        unsigned char* der = nullptr;
        const int length = i2d_PKCS12(p12, &der);
        QByteArray bytes(reinterpret_cast<const char*>(der), length);
        OPENSSL_free(der);
        PKCS12_free(p12);
        X509_free(cert);
        EVP_PKEY_free(key);
        return bytes;
    }

    static TestCertificate generate(const char* commonName)
    {
        TestCertificate result;
        EVP_PKEY* key = EVP_RSA_gen(2048);
        X509* cert = X509_new();
        X509_set_version(cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
        X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
        X509_set_pubkey(cert, key);
        X509_NAME* name = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(commonName), -1, -1,
                                   0);
        X509_set_issuer_name(cert, name);
        X509_sign(cert, key, EVP_sha256());

        auto bioBytes = [](BIO* bio) {
            char* data = nullptr;
            const long length = BIO_get_mem_data(bio, &data);
            QByteArray bytes(data, qsizetype(length));
            BIO_free(bio);
            return bytes;
        };
        BIO* keyBio = BIO_new(BIO_s_mem());
        PEM_write_bio_PrivateKey(keyBio, key, nullptr, nullptr, 0, nullptr, nullptr);
        result.keyPem = bioBytes(keyBio);
        BIO* certBio = BIO_new(BIO_s_mem());
        PEM_write_bio_X509(certBio, cert);
        result.certificatePem = bioBytes(certBio);
        unsigned char* der = nullptr;
        const int derLength = i2d_X509(cert, &der);
        result.certificateDer = QByteArray(reinterpret_cast<const char*>(der), derLength);
        OPENSSL_free(der);
        X509_free(cert);
        EVP_PKEY_free(key);
        return result;
    }
};

} // namespace sunset
