// SPDX-License-Identifier: Apache-2.0
#include "DecommissionSourcesDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

DecommissionSourcesDialog::DecommissionSourcesDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Sources of the decommission checks"));
    setObjectName(u"decommissionSources"_s);
    auto* layout = new QVBoxLayout(this);
    QSettings settings;
    settings.beginGroup(u"decommission"_s);
    struct Row {
        QString key;
        QString label;
        QString fileFilter; // a file to pick: a "…" button beside the field
    };
    auto addRows = [&](QFormLayout* form, std::initializer_list<Row> rows) {
        for (const Row& row : rows) {
            auto* edit = new QLineEdit(settings.value(row.key).toString());
            edit->setObjectName(row.key);
            edit->setMinimumWidth(360);
            m_fields.push_back({row.key, edit});
            if (row.fileFilter.isEmpty()) {
                form->addRow(row.label, edit);
                continue;
            }
            auto* browse = new QToolButton;
            browse->setObjectName(row.key + u"Browse"_s);
            browse->setText(u"…"_s);
            browse->setToolTip(tr("Choose the file"));
            const QString key = row.key;
            const QString filter = row.fileFilter;
            connect(browse, &QToolButton::clicked, this, [this, edit, key, filter] {
                // Several configuration exports may be given, separated by ';'.
                const bool several = key == u"configLdif"_s;
                auto* dialog = new QFileDialog(this, tr("Choose the file"), QString(), filter);
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                dialog->setFileMode(several ? QFileDialog::ExistingFiles : QFileDialog::ExistingFile);
                connect(dialog, &QFileDialog::filesSelected, edit,
                        [edit](const QStringList& files) { edit->setText(files.join(u';')); });
                dialog->open();
            });
            auto* line = new QHBoxLayout;
            line->addWidget(edit, 1);
            line->addWidget(browse);
            form->addRow(row.label, line);
        }
    };

    auto* live = new QGroupBox(tr("Live: a domain controller and the tenant"));
    auto* liveForm = new QFormLayout(live);
    addRows(liveForm, {{u"adUri"_s, tr("AD (ldaps://dc01.contoso.com):"), {}},
                       {u"bindUpn"_s, tr("Bind as (UPN):"), {}},
                       {u"passwordFile"_s, tr("Password file (owner-only):"), tr("Any file (*)")},
                       {u"caFile"_s, tr("CA certificate (PEM):"), tr("PEM certificates (*.pem *.crt);;Any file (*)")}});
    m_kerberos = new QCheckBox(tr("Bind with my Kerberos ticket instead of a password"));
    m_kerberos->setObjectName(u"kerberos"_s);
    m_kerberos->setChecked(settings.value(u"kerberos"_s).toBool());
    liveForm->addRow(QString(), m_kerberos);
    addRows(liveForm, {{u"tenant"_s, tr("Tenant (contoso.onmicrosoft.com):"), {}},
                       {u"clientId"_s, tr("App (client) id:"), {}},
                       {u"clientSecretFile"_s, tr("Client secret file (owner-only):"), tr("Any file (*)")}});
    layout->addWidget(live);

    // The same reads from exports, for an offline review (or a tenant Sunset may not sign in to): a file given
    // here is read instead of the live source for that part.
    auto* files = new QGroupBox(tr("Or snapshot files (used instead of the live source they replace)"));
    auto* filesForm = new QFormLayout(files);
    const QString ldif = tr("LDIF (*.ldif *.ldf);;Any file (*)");
    const QString json = tr("JSON (*.json);;Any file (*)");
    addRows(filesForm,
            {{u"configLdif"_s, tr("AD's Exchange objects (LDIF; several: a;b):"), ldif},
             {u"exoFile"_s, tr("Get-Mailbox export (JSON/CSV):"), tr("Get-Mailbox export (*.json *.csv);;Any file (*)")},
             {u"hybridFile"_s, tr("Hybrid cmdlets' answers (JSON):"), json},
             {u"adFile"_s, tr("Fresh scan's AD side (LDIF):"), ldif},
             {u"graphFile"_s, tr("Fresh scan's Graph users (JSON):"), json},
             {u"syncJobsFile"_s, tr("Cloud Sync jobs (JSON):"), json},
             {u"syncSchemaFile"_s, tr("Cloud Sync job schemas (JSON):"), json},
             {u"groupsFile"_s, tr("Groups not cloud-managed (Graph beta JSON):"), json},
             {u"contactsFile"_s, tr("Contacts not cloud-managed (Graph beta JSON):"), json}});
    layout->addWidget(files);

    auto* other = new QFormLayout;
    addRows(other, {{u"agentAccount"_s, tr("Cloud Sync agent account:"), {}}});
    for (const Field& f : m_fields)
        if (f.key == u"agentAccount"_s)
            f.edit->setPlaceholderText(u"provAgentgMSA"_s);
    layout->addLayout(other);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
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
