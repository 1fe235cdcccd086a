// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "MailboxRecord.h"
#include "Snapshot.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1StringView>
#include <QString>

#include <array>

namespace sunset {

// Turns the properties of one Get-Mailbox object, whatever file format carried them, into a cloud-side
// MailboxRecord. The JSON and CSV readers differ only in how they find names and values; what a value means
// (identity, compared property, boolean spelling, derived addresses, the Graph join) is decided here once.
//
// Use: resolve() each property name (once per CSV column, per member in JSON), then per mailbox
// begin(), add*() for each value, finish(). The add* calls return an error message, empty when the value was
// taken; the reader adds the location (line, column or JSON path) it knows.
class CloudRecordMapper final {
public:
    // What a reader may hand over for a property; the reader reports other shapes as errors.
    enum class Shape : quint8 {
        Ignored,       // not used by Sunset (skip whatever it is)
        Text,          // one string
        Boolean,       // true/false, or a string "True"/"False" in any case
        RecipientType, // a string, or the enum's number (Windows PowerShell 5.1 serializes enums as numbers)
        TextList,      // a multi-valued property: several strings
    };

    // A resolved Get-Mailbox property name. Cheap to copy; resolve once, use for every mailbox.
    struct Property {
        enum class Target : quint8 {
            Ignored,
            UserPrincipalName,
            PrimarySmtpAddress,
            DisplayName,
            ExternalDirectoryObjectId,
            WhenChangedUtc,
            WhenChanged,
            IsExchangeCloudManaged,
            IsDirSynced,
            Cloud, // one of the compared CloudProperty values
        };
        Target target = Target::Ignored;
        CloudProperty cloud = CloudProperty::Count;
        Shape shape = Shape::Ignored;

        bool isIgnored() const { return shape == Shape::Ignored; }
        bool isIdentityKey() const
        {
            return target == Target::UserPrincipalName || target == Target::PrimarySmtpAddress ||
                   target == Target::ExternalDirectoryObjectId;
        }
    };

    // Per-record bounds, so that one damaged or hostile record cannot take the memory of a whole scan. Exchange
    // itself stays far below them: an object's proxyAddresses is limited by the AD object size (a few thousand
    // addresses in practice; Exchange Online documents 400 for EmailAddresses), and its longest single values
    // (a proxy address, 1123 characters; a display name, 256) are KiB. 10,000 values per property and 1 MiB
    // per value are therefore well above anything real and still small enough to refuse at once.
    static constexpr int kMaxValuesPerProperty = 10000;
    static constexpr qsizetype kMaxValueBytes = qsizetype(1) << 20;

    // Case-insensitive Get-Mailbox property name. Names with '@' (OData annotations such as
    // "EmailAddresses@odata.type") and names Sunset does not compare are Ignored.
    static Property resolve(QByteArrayView exoName);
    // How a reader says what it expected in an error: "a string", "a string or an array of strings", ...
    static QLatin1StringView expectedShape(Shape shape);

    // graph, when given, must outlive the mapper; it supplies ImmutableId and ObjectSid by ExternalDirectoryObjectId.
    explicit CloudRecordMapper(const GraphDirectory* graph = nullptr);

    void begin(qint64 sourceLine);                           // 1-based item number (JSON) or line number (CSV)
    QString addText(Property property, QByteArrayView utf8); // one value; "" is absent; multi-valued: call per value
    QString addBoolean(Property property, bool value);
    QString addNumber(Property property, QByteArrayView numberText); // RecipientTypeDetails only
    // Derives missing addresses, joins the Graph user and checks that the mailbox can be matched at all.
    // The error carries only the message: the reader knows the location.
    Result<MailboxRecord> finish();

    // Newest WhenChanged of all records finished so far, 0 if none had one.
    qint64 newestChangeMsecs() const { return m_newestChangeMsecs; }

private:
    QString recordName() const; // "mailbox <UPN>", from what was read so far
    static void keep(QByteArray& storage, QByteArrayView value);
    void setIdentity(IdentityField field, QByteArrayView value, QByteArray* kept = nullptr);

    const GraphDirectory* m_graph;
    MailboxRecordBuilder m_builder{Side::Cloud};
    // The builder stores values but does not give them back; what finish() needs is kept here (capacity reused).
    QByteArray m_primarySmtp;
    QByteArray m_primaryFromEmailAddresses;
    QByteArray m_externalDirectoryObjectId;
    QByteArray m_whenChangedUtcText;
    QByteArray m_whenChangedText;
    QByteArray m_userPrincipalName;
    std::array<int, size_t(CloudProperty::Count)> m_valueCounts{};
    qint64 m_newestChangeMsecs = 0;
};

} // namespace sunset
