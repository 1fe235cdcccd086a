// SPDX-License-Identifier: Apache-2.0
#include "CloudRecordMapper.h"

#include "Identity.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <iterator>
#include <vector>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

using Target = CloudRecordMapper::Property::Target;
using Shape = CloudRecordMapper::Shape;

struct NamedProperty {
    QByteArray lowerName;
    CloudRecordMapper::Property property;
};

// Longer names cannot be a property Sunset reads; they are skipped without a lookup.
constexpr qsizetype kLongestName = 48;

std::vector<NamedProperty> buildNameIndex()
{
    std::vector<NamedProperty> index;
    auto add = [&index](QLatin1StringView name, Target target, Shape shape,
                        CloudProperty cloud = CloudProperty::Count) {
        index.push_back({QByteArray(name.data(), name.size()).toLower(), {target, cloud, shape}});
    };
    add("UserPrincipalName"_L1, Target::UserPrincipalName, Shape::Text);
    add("PrimarySmtpAddress"_L1, Target::PrimarySmtpAddress, Shape::Text);
    add("DisplayName"_L1, Target::DisplayName, Shape::Text);
    add("ExternalDirectoryObjectId"_L1, Target::ExternalDirectoryObjectId, Shape::Text);
    add("WhenChangedUTC"_L1, Target::WhenChangedUtc, Shape::Text);
    add("WhenChanged"_L1, Target::WhenChanged, Shape::Text);
    add("IsExchangeCloudManaged"_L1, Target::IsExchangeCloudManaged, Shape::Boolean);
    add("IsDirSynced"_L1, Target::IsDirSynced, Shape::Boolean);
    // The compared properties come from the catalog, so a property added there is read without a change here.
    for (int p = 0; p < int(CloudProperty::Count); ++p) {
        const auto cloud = CloudProperty(p);
        Shape shape = isMultiValued(cloud) ? Shape::TextList : Shape::Text;
        if (cloud == CloudProperty::RecipientTypeDetails)
            shape = Shape::RecipientType;
        else if (cloud == CloudProperty::HiddenFromAddressListsEnabled)
            shape = Shape::Boolean;
        add(cloudPropertyName(cloud), Target::Cloud, shape, cloud);
    }
    std::sort(index.begin(), index.end(),
              [](const NamedProperty& a, const NamedProperty& b) { return a.lowerName < b.lowerName; });
    return index;
}

const std::vector<NamedProperty>& nameIndex()
{
    static const std::vector<NamedProperty> index = buildNameIndex();
    return index;
}

// PowerShell writes [bool] as True/False; JSON as true/false; hand-edited files as TRUE. "" means not set.
std::optional<std::optional<bool>> parseBooleanText(QByteArrayView text)
{
    if (text.isEmpty())
        return std::optional<bool>();
    if (text.compare("true", Qt::CaseInsensitive) == 0)
        return std::optional<bool>(true);
    if (text.compare("false", Qt::CaseInsensitive) == 0)
        return std::optional<bool>(false);
    return std::nullopt;
}

QByteArrayView recipientTypeName(qint64 value)
{
    // The RecipientTypeDetails enum values Get-Mailbox returns for the mailbox kinds Sunset handles.
    switch (value) {
    case 1:
        return "UserMailbox";
    case 2:
        return "LinkedMailbox";
    case 4:
        return "SharedMailbox";
    case 16:
        return "RoomMailbox";
    case 32:
        return "EquipmentMailbox";
    case 128:
        return "MailUser";
    default:
        return {};
    }
}

// The canonical form "7cdbe897-3c7f-4fb6-a369-56408d68081f" (either case) is what Exchange Online writes; it is
// checked and lower-cased here without allocating. Other forms ("User_" prefix, braces, spaces) are left to
// normalizeExternalDirectoryObjectId, which gives the same result for this form.
bool lowerCaseCanonicalGuid(QByteArrayView text, QByteArray& out)
{
    if (text.size() != 36)
        return false;
    char lower[36];
    for (int i = 0; i < 36; ++i) {
        char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else {
            if (c >= 'A' && c <= 'F')
                c = char(c + ('a' - 'A'));
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                return false;
        }
        lower[i] = c;
    }
    out.resize(0);
    out.append(lower, 36);
    return true;
}

bool isAllDigits(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

CloudRecordMapper::Property CloudRecordMapper::resolve(QByteArrayView exoName)
{
    if (exoName.size() > kLongestName || exoName.contains('@'))
        return {};
    std::array<char, kLongestName> buffer;
    for (qsizetype i = 0; i < exoName.size(); ++i) {
        const char c = exoName[i];
        buffer[size_t(i)] = (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c;
    }
    const QByteArrayView lower(buffer.data(), exoName.size());
    const auto& index = nameIndex();
    const auto it = std::lower_bound(index.begin(), index.end(), lower,
                                     [](const NamedProperty& e, QByteArrayView key) { return e.lowerName < key; });
    if (it == index.end() || it->lowerName != lower)
        return {};
    return it->property;
}

QLatin1StringView CloudRecordMapper::expectedShape(Shape shape)
{
    switch (shape) {
    case Shape::Text:
        return "a string"_L1;
    case Shape::Boolean:
        return "true, false or a string \"True\"/\"False\""_L1;
    case Shape::RecipientType:
        return "a string or a number"_L1;
    case Shape::TextList:
        return "a string or an array of strings"_L1;
    case Shape::Ignored:
        break;
    }
    return "any value"_L1;
}

CloudRecordMapper::CloudRecordMapper(const GraphDirectory* graph)
    : m_graph(graph)
{
}

void CloudRecordMapper::begin(qint64 sourceLine)
{
    m_builder.clear();
    m_builder.setSourceLine(sourceLine);
    m_primarySmtp.resize(0);
    m_primaryFromEmailAddresses.resize(0);
    m_externalDirectoryObjectId.resize(0);
    m_whenChangedUtcText.resize(0);
    m_whenChangedText.resize(0);
    m_userPrincipalName.resize(0);
    m_valueCounts.fill(0);
}

QString CloudRecordMapper::recordName() const
{
    const QByteArray& known = !m_userPrincipalName.isEmpty() ? m_userPrincipalName
                              : !m_primarySmtp.isEmpty()      ? m_primarySmtp
                                                              : m_externalDirectoryObjectId;
    // The reader adds where the record is (JSON path or CSV line); the identity read so far says which it is.
    return known.isEmpty() ? u"this mailbox"_s : u"mailbox "_s + QString::fromUtf8(known.left(256));
}

void CloudRecordMapper::keep(QByteArray& storage, QByteArrayView value)
{
    storage.resize(value.size()); // keeps the capacity: no allocation per mailbox
    if (!value.isEmpty())
        std::memcpy(storage.data(), value.data(), size_t(value.size()));
}

void CloudRecordMapper::setIdentity(IdentityField field, QByteArrayView value, QByteArray* kept)
{
    m_builder.setIdentity(field, value);
    if (kept)
        keep(*kept, value);
}

QString CloudRecordMapper::addText(Property property, QByteArrayView utf8)
{
    if (utf8.isEmpty())
        return {}; // "" is how Exchange Online says "not set"
    if (utf8.size() > kMaxValueBytes)
        return u"%1 has a value of %2 bytes, more than the %3 MiB limit per value; the export or the service "
               "answer is damaged"_s.arg(recordName(), QString::number(utf8.size()),
                                         QString::number(kMaxValueBytes >> 20));
    switch (property.target) {
    case Target::Ignored:
        return {};
    case Target::UserPrincipalName:
        setIdentity(IdentityField::UserPrincipalName, utf8, &m_userPrincipalName);
        return {};
    case Target::PrimarySmtpAddress: {
        // Some exports write the proxy form; the identity is the bare address either way.
        const QByteArrayView address = utf8.startsWith("SMTP:") || utf8.startsWith("smtp:") ? utf8.sliced(5) : utf8;
        setIdentity(IdentityField::PrimarySmtpAddress, address, &m_primarySmtp);
        return {};
    }
    case Target::DisplayName:
        setIdentity(IdentityField::DisplayName, utf8);
        return {};
    case Target::ExternalDirectoryObjectId: {
        if (lowerCaseCanonicalGuid(utf8, m_externalDirectoryObjectId)) {
            m_builder.setIdentity(IdentityField::ExternalDirectoryObjectId, m_externalDirectoryObjectId);
            return {};
        }
        const auto id = normalizeExternalDirectoryObjectId(utf8);
        if (!id)
            return u"ExternalDirectoryObjectId \"%1\" is not a GUID"_s.arg(QString::fromUtf8(utf8));
        setIdentity(IdentityField::ExternalDirectoryObjectId, *id, &m_externalDirectoryObjectId);
        return {};
    }
    case Target::WhenChangedUtc:
        // Parsed in finish(): exports carry both, and only one of them is needed.
        keep(m_whenChangedUtcText, utf8);
        return {};
    case Target::WhenChanged:
        keep(m_whenChangedText, utf8);
        return {};
    case Target::IsExchangeCloudManaged:
    case Target::IsDirSynced:
    case Target::Cloud:
        break;
    }

    if (property.shape == Shape::Boolean) {
        const auto value = parseBooleanText(utf8);
        if (!value)
            return u"expected True or False, found \"%1\""_s.arg(QString::fromUtf8(utf8));
        return *value ? addBoolean(property, **value) : QString();
    }
    if (property.shape == Shape::RecipientType && isAllDigits(utf8))
        return addNumber(property, utf8);
    if (property.shape == Shape::TextList && ++m_valueCounts[size_t(property.cloud)] > kMaxValuesPerProperty)
        return u"%1 has more than %2 values in %3, more than Exchange allows; the export or the service answer is "
               "damaged"_s.arg(recordName(), QString::number(kMaxValuesPerProperty), cloudPropertyName(property.cloud));
    if (property.cloud == CloudProperty::EmailAddresses && m_primaryFromEmailAddresses.isEmpty() &&
        utf8.startsWith("SMTP:")) {
        // Only the upper-case prefix marks the primary; it need not be the first entry.
        m_primaryFromEmailAddresses.append(utf8.data() + 5, utf8.size() - 5);
    }
    m_builder.addCloudValue(property.cloud, utf8);
    return {};
}

QString CloudRecordMapper::addBoolean(Property property, bool value)
{
    const QByteArrayView text = value ? QByteArrayView("true") : QByteArrayView("false");
    switch (property.target) {
    case Target::IsExchangeCloudManaged:
        m_builder.setIdentity(IdentityField::CloudManaged, text);
        return {};
    case Target::IsDirSynced:
        m_builder.setIdentity(IdentityField::DirSynced, text);
        return {};
    case Target::Cloud:
        if (property.shape == Shape::Boolean) {
            m_builder.addCloudValue(property.cloud, text);
            return {};
        }
        break;
    case Target::Ignored:
        return {};
    default:
        break;
    }
    return u"expected %1, found a boolean"_s.arg(expectedShape(property.shape));
}

QString CloudRecordMapper::addNumber(Property property, QByteArrayView numberText)
{
    if (property.isIgnored())
        return {};
    if (property.shape != Shape::RecipientType)
        return u"expected %1, found a number"_s.arg(expectedShape(property.shape));
    bool ok = false;
    const qint64 value = numberText.toLongLong(&ok);
    const QByteArrayView name = ok ? recipientTypeName(value) : QByteArrayView();
    m_builder.addCloudValue(property.cloud, name.isEmpty() ? numberText : name);
    return {};
}

Result<MailboxRecord> CloudRecordMapper::finish()
{
    // WhenChangedUTC is preferred; WhenChanged is local time with an offset, or culture-formatted text in a CSV.
    // An unparseable date is not an error (a German Export-Csv): the record just has no change time.
    const qint64 newestBefore = m_newestChangeMsecs;
    std::optional<qint64> changed;
    if (!m_whenChangedUtcText.isEmpty())
        changed = parseCloudTimestamp(m_whenChangedUtcText);
    if (!changed && !m_whenChangedText.isEmpty())
        changed = parseCloudTimestamp(m_whenChangedText);
    if (changed) {
        char digits[24];
        const auto end = std::to_chars(std::begin(digits), std::end(digits), *changed).ptr;
        m_builder.setIdentity(IdentityField::WhenChangedMsecs, QByteArrayView(digits, end - digits));
        m_newestChangeMsecs = std::max(m_newestChangeMsecs, *changed);
    }

    if (m_primarySmtp.isEmpty() && !m_primaryFromEmailAddresses.isEmpty())
        setIdentity(IdentityField::PrimarySmtpAddress, m_primaryFromEmailAddresses, &m_primarySmtp);
    // Get-Mailbox keeps WindowsEmailAddress equal to the primary address; exports often select only one of them.
    if (!m_builder.hasCloudValues(CloudProperty::WindowsEmailAddress) && !m_primarySmtp.isEmpty())
        m_builder.addCloudValue(CloudProperty::WindowsEmailAddress, m_primarySmtp);

    if (m_graph && !m_externalDirectoryObjectId.isEmpty()) {
        const auto it = m_graph->usersById.constFind(m_externalDirectoryObjectId);
        if (it != m_graph->usersById.cend()) {
            m_builder.setIdentity(IdentityField::ImmutableId, it->onPremisesImmutableId);
            m_builder.setIdentity(IdentityField::ObjectSid, it->onPremisesSecurityIdentifier);
            if (!m_builder.hasIdentity(IdentityField::UserPrincipalName))
                m_builder.setIdentity(IdentityField::UserPrincipalName, it->userPrincipalName);
        }
    }

    if (!m_builder.hasIdentity(IdentityField::UserPrincipalName) && m_primarySmtp.isEmpty() &&
        m_externalDirectoryObjectId.isEmpty()) {
        m_builder.clear();
        m_newestChangeMsecs = newestBefore; // a refused mailbox does not count
        return ImportError{{},
                           0,
                           {},
                           u"mailbox has no UserPrincipalName, PrimarySmtpAddress or ExternalDirectoryObjectId; "
                           "cannot be matched"_s};
    }
    return m_builder.build();
}

} // namespace sunset
