// SPDX-License-Identifier: Apache-2.0
#include "HybridArtifactsClient.h"

#include "CloudPager.h"
#include "ExoInvokeCommand.h"
#include "GraphUsersClient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

struct Cmdlet {
    QString name;
    QString items;
    std::vector<CloudHybridObject> HybridArtifacts::*into;
};

const std::array<Cmdlet, 3>& cmdlets()
{
    static const std::array<Cmdlet, 3> list{
        Cmdlet{u"Get-OrganizationRelationship"_s, u"organization relationships"_s,
               &HybridArtifacts::organizationRelationships},
        Cmdlet{u"Get-InboundConnector"_s, u"inbound connectors"_s, &HybridArtifacts::inboundConnectors},
        Cmdlet{u"Get-OutboundConnector"_s, u"outbound connectors"_s, &HybridArtifacts::outboundConnectors}};
    return list;
}

// One page's "value": objects with Name, Identity and Enabled (the admin API answers booleans as JSON booleans;
// an export may carry them as text).
Result<std::vector<CloudHybridObject>> readObjects(QByteArrayView body, const QString& requestName)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return ImportError{requestName, 0, u"$"_s,
                           u"the answer is not a JSON object (%1 at offset %2)"_s.arg(parseError.errorString())
                               .arg(parseError.offset)};
    const QJsonValue value = doc.object().value("value"_L1);
    if (!value.isArray())
        return ImportError{requestName, 0, u"$.value"_s, u"expected an array of objects"_s};
    std::vector<CloudHybridObject> objects;
    const QJsonArray items = value.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonObject o = items.at(i).toObject();
        const QString name = o.value("Name"_L1).toString();
        if (name.isEmpty())
            return ImportError{requestName, 0, u"$.value[%1].Name"_s.arg(i), u"expected the object's name"_s};
        const QJsonValue enabled = o.value("Enabled"_L1);
        objects.push_back({name, o.value("Identity"_L1).toString(name),
                           enabled.isString() ? enabled.toString().compare("true"_L1, Qt::CaseInsensitive) == 0
                                              : enabled.toBool(true)});
    }
    return objects;
}

} // namespace

Result<HybridArtifacts> readHybridArtifactsFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ImportError{path, 0, {}, u"cannot read it (%1)"_s.arg(file.errorString())};
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return ImportError{path, 0, u"$"_s,
                           u"not a JSON object (%1 at offset %2)"_s.arg(parseError.errorString()).arg(parseError.offset)};
    HybridArtifacts artifacts;
    for (const Cmdlet& cmdlet : cmdlets()) {
        const QJsonValue answer = doc.object().value(cmdlet.name);
        if (!answer.isObject())
            return ImportError{path, 0, u"$."_s + cmdlet.name,
                               u"expected the %1 answer ({\"value\": [...]}) of %2"_s.arg(cmdlet.items, cmdlet.name)};
        Result<std::vector<CloudHybridObject>> objects =
            readObjects(QJsonDocument(answer.toObject()).toJson(QJsonDocument::Compact), path + u" ("_s + cmdlet.name + u')');
        if (!objects)
            return objects.error();
        artifacts.*cmdlet.into = std::move(objects.value());
    }
    return artifacts;
}

HybridArtifactsClient::HybridArtifactsClient(const QUrl& endpoint, const QString& tenant, TokenProvider* tokens,
                                             QObject* parent)
    : QObject(parent)
    , m_endpoint(endpoint)
    , m_tenant(tenant)
    , m_tokens(tokens)
    , m_resource(GraphUsersClient::defaultResource(endpoint))
    , m_network(new QNetworkAccessManager(this))
{
}

HybridArtifactsClient::~HybridArtifactsClient()
{
    delete m_pager; // before the QNetworkAccessManager and its replies
}

void HybridArtifactsClient::start()
{
    m_artifacts = {};
    m_error.reset();
    m_next = 0;
    if (const QString problem = checkEndpointUrl(m_endpoint, u"Exchange Online endpoint"_s); !problem.isEmpty()) {
        m_error = ImportError{m_endpoint.toString(), 0, {}, problem};
        QMetaObject::invokeMethod(this, [this] { Q_EMIT finished(false); }, Qt::QueuedConnection);
        return;
    }
    runNext();
}

void HybridArtifactsClient::cancel()
{
    if (m_pager && m_pager->isRunning())
        m_pager->cancel();
}

void HybridArtifactsClient::runNext()
{
    if (m_pager) {
        m_pager->deleteLater();
        m_pager = nullptr;
    }
    if (m_next >= int(cmdlets().size())) {
        Q_EMIT finished(true);
        return;
    }
    const Cmdlet& cmdlet = cmdlets()[size_t(m_next++)];
    m_pager = new CloudPager(
        m_network, m_tokens,
        exoInvokeCommandRequest(m_endpoint, m_tenant, m_resource, cmdlet.name, "{}", cmdlet.items),
        [this, &cmdlet](QByteArrayView body, const QString& requestName) -> Result<CloudPage> {
            Result<ODataPageLinks> links = readODataPageLinks(body, requestName);
            if (!links)
                return links.error();
            Result<std::vector<CloudHybridObject>> objects = readObjects(body, requestName + u" ("_s + cmdlet.name + u')');
            if (!objects)
                return objects.error();
            std::vector<CloudHybridObject>& into = m_artifacts.*cmdlet.into;
            into.insert(into.end(), objects->begin(), objects->end());
            return CloudPage{qint64(objects->size()), links->nextLink, -1};
        },
        this);
    m_pager->setRetryPolicy(m_policy);
    connect(m_pager, &CloudPager::finished, this, [this](bool ok) {
        if (!ok) {
            m_error = m_pager->error();
            Q_EMIT finished(false);
            return;
        }
        runNext();
    });
    m_pager->start();
}

} // namespace sunset
