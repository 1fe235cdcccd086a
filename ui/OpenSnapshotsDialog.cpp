#include "OpenSnapshotsDialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

OpenSnapshotsDialog::OpenSnapshotsDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Open snapshots"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Compare an Active Directory export with an Exchange Online export. The Graph users "
                                "export is optional; without it mailboxes match on UPN and primary SMTP only "
                                "(shown as soft matches)."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_form = new QFormLayout;
    layout->addLayout(m_form);
    m_ad = addFileRow(tr("&Active Directory (LDIF):"), tr("ldifde -f ad.ldif … or ldapsearch -LLL …"),
                      tr("LDIF files (*.ldif *.ldf);;All files (*)"));
    m_exo = addFileRow(tr("&Exchange Online (JSON or CSV):"), tr("Get-Mailbox -ResultSize Unlimited | ConvertTo-Json …"),
                       tr("Get-Mailbox exports (*.json *.csv);;All files (*)"));
    m_graph = addFileRow(tr("&Graph users (JSON, optional):"), tr("GET /v1.0/users?$select=id,onPremisesImmutableId,…"),
                         tr("JSON files (*.json);;All files (*)"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("&Compare"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(720, sizeHint().height());
    updateOk();
}

OpenSnapshotsDialog::~OpenSnapshotsDialog() = default;

QLineEdit* OpenSnapshotsDialog::addFileRow(const QString& label, const QString& placeholder, const QString& filter)
{
    auto* row = new QHBoxLayout;
    auto* edit = new QLineEdit(this);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    auto* browse = new QPushButton(tr("Browse…"), this);
    row->addWidget(edit, 1);
    row->addWidget(browse);
    m_form->addRow(label, row);
    if (auto* l = qobject_cast<QLabel*>(m_form->labelForField(row)))
        l->setBuddy(edit);
    connect(edit, &QLineEdit::textChanged, this, &OpenSnapshotsDialog::updateOk);
    connect(browse, &QPushButton::clicked, this, [this, edit, filter] {
        const QString start = edit->text().isEmpty() ? QString() : QFileInfo(edit->text()).absolutePath();
        const QString path = QFileDialog::getOpenFileName(this, tr("Choose a file"), start, filter);
        if (!path.isEmpty())
            edit->setText(path);
    });
    return edit;
}

void OpenSnapshotsDialog::updateOk()
{
    m_ok->setEnabled(!m_ad->text().trimmed().isEmpty() && !m_exo->text().trimmed().isEmpty());
}

void OpenSnapshotsDialog::setFiles(const ReportSources& files)
{
    m_ad->setText(files.ad);
    m_exo->setText(files.exo);
    m_graph->setText(files.graph);
}

ReportSources OpenSnapshotsDialog::files() const
{
    return {m_ad->text().trimmed(), m_exo->text().trimmed(), m_graph->text().trimmed()};
}

} // namespace sunset
