// SPDX-License-Identifier: Apache-2.0
// The LDIF change file of a batch: delete-old/add-new modify records that ldapmodify and ldifde accept, base64
// where a value is not a safe string, nothing for an object without changes.
#include "BatchApplier.h"
#include "BatchModifies.h"
#include "LdifWriter.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestBatchLdif final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void modifyRecordDeleteOldAddNew();
    void batchFileOneRecordPerObject();
};

void TestBatchLdif::modifyRecordDeleteOldAddNew()
{
    QByteArray out;
    LdifWriter writer([&out](const QByteArray& chunk) { out += chunk; });
    ModifyRequest request{1, "CN=Müller\\, Jürgen,OU=Sales,DC=x", {}};
    request.changes.push_back({"proxyAddresses", {"SMTP:a@x.test"}, {"smtp:a@x.test", "SMTP:b@x.test"}});
    request.changes.push_back({"extensionAttribute1", {}, {" spaced "}});
    request.changes.push_back({"extensionAttribute2", {"gone"}, {}});
    writer.writeModify(request);
    writer.writeModify(ModifyRequest{2, "CN=Empty,DC=x", {}});
    const QByteArray expected = "version: 1\n\n"
                                "dn:: " +
                                QByteArray("CN=Müller\\, Jürgen,OU=Sales,DC=x").toBase64() +
                                "\n"
                                "changetype: modify\n"
                                "delete: proxyAddresses\n"
                                "proxyAddresses: SMTP:a@x.test\n"
                                "-\n"
                                "add: proxyAddresses\n"
                                "proxyAddresses: smtp:a@x.test\n"
                                "proxyAddresses: SMTP:b@x.test\n"
                                "-\n"
                                "add: extensionAttribute1\n"
                                "extensionAttribute1:: " +
                                QByteArray(" spaced ").toBase64() +
                                "\n"
                                "-\n"
                                "delete: extensionAttribute2\n"
                                "extensionAttribute2: gone\n"
                                "-\n"
                                "\n";
    QCOMPARE(out, expected);
    QCOMPARE(writer.entries(), 1);
}

void TestBatchLdif::batchFileOneRecordPerObject()
{
    StoredBatch batch;
    batch.id = 7;
    batch.state = BatchState::Approved;
    batch.createdAt = QDateTime(QDate(2026, 11, 24), QTime(10, 0), Qt::UTC);
    batch.createdBy = u"alice"_s;
    batch.objectCount = 2;
    const auto change = [](qint64 seq, const QString& dn, AttributeId attribute, QStringList before,
                           QStringList after) {
        StoredChange c;
        c.batchId = 7;
        c.objectSeq = seq;
        c.dn = dn;
        c.attribute = attribute;
        c.before = std::move(before);
        c.after = std::move(after);
        return c;
    };
    const std::vector<StoredChange> changes = {
        change(0, u"CN=A,DC=x"_s, AttributeId::Mail, {u"a@old.test"_s}, {u"a@new.test"_s}),
        change(0, u"CN=A,DC=x"_s, AttributeId::ExtensionAttribute1, {}, {u"v"_s}),
        change(1, u"CN=B,DC=x"_s, AttributeId::ExtensionAttribute1, {u"old"_s}, {}),
    };
    const QByteArray ldif = batchLdif(batch, changes);
    QVERIFY2(ldif.startsWith("# Sunset writeback batch 7 (approved), created 2026-11-24T10:00:00Z by alice\n"),
             ldif.constData());
    QCOMPARE(ldif.count("changetype: modify\n"), 2);
    QVERIFY(ldif.contains("dn: CN=A,DC=x\nchangetype: modify\ndelete: mail\nmail: a@old.test\n-\nadd: mail\n"
                          "mail: a@new.test\n-\nadd: extensionAttribute1\nextensionAttribute1: v\n-\n\n"));
    QVERIFY(ldif.contains("dn: CN=B,DC=x\nchangetype: modify\ndelete: extensionAttribute1\n"
                          "extensionAttribute1: old\n-\n\n"));
}

QTEST_GUILESS_MAIN(TestBatchLdif)
#include "TestBatchLdif.moc"
