#include "DecommissionSourcesDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSettings>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

DecommissionSourcesDialog::DecommissionSourcesDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Sources of the decommission checks"));
    setObjectName(u"decommissionSources"_s);
    auto* form = new QFormLayout(this);
    QSettings settings;
    settings.beginGroup(u"decommission"_s);
    const std::initializer_list<std::pair<QString, QString>> fields{
        {u"adUri"_s, tr("AD (ldaps://dc01.contoso.com):")},
        {u"bindUpn"_s, tr("Bind as (UPN):")},
        {u"passwordFile"_s, tr("Password file (owner-only):")},
        {u"caFile"_s, tr("CA certificate (PEM):")},
        {u"tenant"_s, tr("Tenant (contoso.onmicrosoft.com):")},
        {u"clientId"_s, tr("App (client) id:")},
        {u"clientSecretFile"_s, tr("Client secret file (owner-only):")},
        {u"exoFile"_s, tr("Or a Get-Mailbox export (JSON/CSV):")},
        {u"agentAccount"_s, tr("Cloud Sync agent account:")},
    };
    for (const auto& [key, label] : fields) {
        auto* edit = new QLineEdit(settings.value(key).toString());
        edit->setObjectName(key);
        if (key == u"agentAccount"_s)
            edit->setPlaceholderText(u"provAgentgMSA"_s);
        form->addRow(label, edit);
        m_fields.push_back({key, edit});
    }
    m_kerberos = new QCheckBox(tr("Bind with my Kerberos ticket instead of a password"));
    m_kerberos->setObjectName(u"kerberos"_s);
    m_kerberos->setChecked(settings.value(u"kerberos"_s).toBool());
    form->addRow(QString(), m_kerberos);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

DecommissionSourcesDialog::~DecommissionSourcesDialog() = default;

void DecommissionSourcesDialog::accept()
{
    QSettings settings;
    settings.beginGroup(u"decommission"_s);
    for (const Field& f : m_fields) {
        const QString value = f.edit->text().trimmed();
        if (value.isEmpty())
            settings.remove(f.key);
        else
            settings.setValue(f.key, value);
    }
    settings.setValue(u"kerberos"_s, m_kerberos->isChecked());
    QDialog::accept();
}

} // namespace sunset
