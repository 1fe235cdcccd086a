// SPDX-License-Identifier: Apache-2.0
#include "ConnectionDialog.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QStackedWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// National clouds: the login host, Graph and Exchange Online endpoints Microsoft documents for each.
struct CloudPreset {
    const char* label;
    const char* authority;
    const char* graph;
    const char* exo;
};
constexpr CloudPreset kPresets[] = {
    {QT_TRANSLATE_NOOP("sunset::ConnectionDialog", "Global (commercial, GCC)"),
     CloudTenantSettings::kDefaultAuthority.data(), CloudTenantSettings::kDefaultGraphEndpoint.data(),
     CloudTenantSettings::kDefaultExoEndpoint.data()},
    {QT_TRANSLATE_NOOP("sunset::ConnectionDialog", "US Government GCC High"), "https://login.microsoftonline.us",
     "https://graph.microsoft.us", "https://outlook.office365.us"},
    {QT_TRANSLATE_NOOP("sunset::ConnectionDialog", "US Government DoD"), "https://login.microsoftonline.us",
     "https://dod-graph.microsoft.us", "https://webmail.apps.mil"},
    {QT_TRANSLATE_NOOP("sunset::ConnectionDialog", "China (operated by 21Vianet)"), "https://login.chinacloudapi.cn",
     "https://microsoftgraph.chinacloudapi.cn", "https://partner.outlook.cn"},
};

const char* const kProblemStyle = "border: 1px solid #d32f2f; border-radius: 2px;";

} // namespace

ConnectionDialog::ConnectionDialog(QSettings& settings, QWidget* parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_keyring(new SecretStore(this))
{
    setWindowTitle(tr("Connect — choose what to compare"));
    setObjectName(u"connectionDialog"_s);
    auto* layout = new QVBoxLayout(this);

    auto* profileRow = new QHBoxLayout;
    auto* profileLabel = new QLabel(tr("&Profile:"), this);
    m_profileName = new QComboBox(this);
    m_profileName->setObjectName(u"profileName"_s);
    m_profileName->setEditable(true);
    m_profileName->setInsertPolicy(QComboBox::NoInsert);
    m_profileName->setMinimumWidth(260);
    m_profileName->lineEdit()->setPlaceholderText(tr("Name this pair of sources to keep it"));
    m_profileName->setToolTip(tr("Profiles remember both sources and their settings, never a password or client secret "
                                 "(those go only to the desktop keyring, and only when you tick Remember)."));
    profileLabel->setBuddy(m_profileName);
    auto* saveProfile = new QPushButton(QIcon::fromTheme(u"document-save"_s), tr("&Save profile"), this);
    saveProfile->setObjectName(u"saveProfile"_s);
    saveProfile->setAutoDefault(false);
    m_deleteProfile = new QPushButton(QIcon::fromTheme(u"edit-delete"_s), tr("&Delete"), this);
    m_deleteProfile->setObjectName(u"deleteProfile"_s);
    m_deleteProfile->setAutoDefault(false);
    profileRow->addWidget(profileLabel);
    profileRow->addWidget(m_profileName, 1);
    profileRow->addWidget(saveProfile);
    profileRow->addWidget(m_deleteProfile);
    layout->addLayout(profileRow);
    connect(m_profileName, &QComboBox::textActivated, this, &ConnectionDialog::loadNamedProfile);
    connect(m_profileName, &QComboBox::currentTextChanged, this, &ConnectionDialog::updateEnabled);
    connect(saveProfile, &QPushButton::clicked, this, &ConnectionDialog::saveProfile);
    connect(m_deleteProfile, &QPushButton::clicked, this, &ConnectionDialog::deleteProfile);

    auto* sides = new QHBoxLayout;
    sides->addWidget(createCloudBox(), 1);
    sides->addWidget(createAdBox(), 1);
    layout->addLayout(sides, 1);

    m_problems = new QLabel(this);
    m_problems->setObjectName(u"problemsLabel"_s);
    m_problems->setWordWrap(true);
    m_problems->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problems->setStyleSheet(u"QLabel { color: #b71c1c; background: #fdecea; border: 1px solid #e57373; "
                              "border-radius: 4px; padding: 6px; }"_s);
    m_problems->hide();
    layout->addWidget(m_problems);
    m_keyringMessage = new QLabel(this);
    m_keyringMessage->setObjectName(u"keyringMessage"_s);
    m_keyringMessage->setWordWrap(true);
    m_keyringMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_keyringMessage->setStyleSheet(u"QLabel { color: #5d4037; background: #fff8e1; border: 1px solid #ffca28; "
                                    "border-radius: 4px; padding: 6px; }"_s);
    m_keyringMessage->hide();
    layout->addWidget(m_keyringMessage);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_scan = buttons->button(QDialogButtonBox::Ok);
    m_scan->setObjectName(u"scanButton"_s);
    m_scan->setText(tr("S&can and compare"));
    m_scan->setIcon(QIcon::fromTheme(u"media-playback-start"_s));
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    ConnectionProfileStore store(m_settings);
    fillProfileNames(store.lastUsed());
    if (!store.lastUsed().isEmpty() && store.names().contains(store.lastUsed()))
        setProfile(store.load(store.lastUsed()));
    updateEnabled();
    resize(1080, sizeHint().height());
}

ConnectionDialog::~ConnectionDialog() = default;

QLineEdit* ConnectionDialog::addLineRow(QFormLayout* form, const QString& label, const QString& objectName,
                                        const QString& placeholder)
{
    auto* edit = new QLineEdit(this);
    edit->setObjectName(objectName);
    edit->setPlaceholderText(placeholder);
    form->addRow(label, edit);
    connect(edit, &QLineEdit::textEdited, this, [edit] { edit->setStyleSheet({}); });
    return edit;
}

QLineEdit* ConnectionDialog::addFileRow(QFormLayout* form, const QString& label, const QString& objectName,
                                        const QString& placeholder, const QString& filter)
{
    auto* row = new QHBoxLayout;
    auto* edit = new QLineEdit(this);
    edit->setObjectName(objectName);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    auto* browse = new QPushButton(tr("Browse…"), this);
    browse->setAutoDefault(false);
    row->addWidget(edit, 1);
    row->addWidget(browse);
    form->addRow(label, row);
    if (auto* l = qobject_cast<QLabel*>(form->labelForField(row)))
        l->setBuddy(edit);
    connect(edit, &QLineEdit::textEdited, this, [edit] { edit->setStyleSheet({}); });
    connect(browse, &QPushButton::clicked, this, [this, edit, filter] {
        const QString start = edit->text().isEmpty() ? QString() : QFileInfo(edit->text()).absolutePath();
        const QString path = QFileDialog::getOpenFileName(this, tr("Choose a file"), start, filter);
        if (!path.isEmpty()) {
            edit->setText(path);
            edit->setStyleSheet({});
        }
    });
    return edit;
}

QGroupBox* ConnectionDialog::createAdBox()
{
    auto* box = new QGroupBox(tr("Active Directory"), this);
    auto* layout = new QVBoxLayout(box);
    auto* kindRow = new QHBoxLayout;
    m_adSnapshot = new QRadioButton(tr("LDIF e&xport"), box);
    m_adSnapshot->setObjectName(u"adSnapshot"_s);
    m_adLive = new QRadioButton(tr("Domain contro&ller (live)"), box);
    m_adLive->setObjectName(u"adLive"_s);
    auto* group = new QButtonGroup(box);
    group->addButton(m_adSnapshot);
    group->addButton(m_adLive);
    m_adSnapshot->setChecked(true);
    kindRow->addWidget(m_adSnapshot);
    kindRow->addWidget(m_adLive);
    kindRow->addStretch(1);
    layout->addLayout(kindRow);

    m_adStack = new QStackedWidget(box);
    auto* snapshotPage = new QWidget(m_adStack);
    auto* snapshotForm = new QFormLayout(snapshotPage);
    m_adLdif = addFileRow(snapshotForm, tr("LDIF &file:"), u"adLdifFile"_s, tr("ldifde -f ad.ldif … or ldapsearch -LLL …"),
                          tr("LDIF files (*.ldif *.ldf);;All files (*)"));
    auto* snapshotHint = new QLabel(tr("Export the users under the domain, e.g. <code>ldifde -f ad.ldif -d "
                                       "\"DC=contoso,DC=com\" -r \"(objectClass=user)\"</code>."),
                                    snapshotPage);
    snapshotHint->setWordWrap(true);
    snapshotForm->addRow(snapshotHint);
    m_adStack->addWidget(snapshotPage);

    auto* livePage = new QWidget(m_adStack);
    auto* form = new QFormLayout(livePage);
    m_adUrl = addLineRow(form, tr("&Server:"), u"adUrl"_s, u"ldaps://dc01.contoso.com"_s);
    m_adUrl->setToolTip(tr("ldaps:// (TLS from the start, port 636) or ldap:// with StartTLS (port 389)"));
    m_adStartTls = new QCheckBox(tr("Use StartTLS (for ldap://)"), livePage);
    m_adStartTls->setObjectName(u"adStartTls"_s);
    m_adStartTls->setChecked(true);
    form->addRow(QString(), m_adStartTls);
    m_adBind = new QComboBox(livePage);
    m_adBind->setObjectName(u"adBind"_s);
    m_adBind->addItem(tr("Simple bind (account and password)"), false); // DcConnectionSettings::kerberos
    m_adBind->addItem(tr("Kerberos (your ticket: kinit or domain logon)"), true);
    form->addRow(tr("&Bind:"), m_adBind);
    m_adBindDn = addLineRow(form, tr("Bind &as:"), u"adBindDn"_s, u"admin@contoso.com"_s);
    m_adPassword =
        addLineRow(form, tr("Pass&word:"), u"adPassword"_s, tr("asked for each scan, never saved to a file"));
    m_adPassword->setEchoMode(QLineEdit::Password);
    m_adRememberPassword = addRememberRow(form, u"adRememberPassword"_s, m_adPassword);
    m_adBaseDn = addLineRow(form, tr("Base &DN:"), u"adBaseDn"_s, tr("empty: the whole domain"));
    m_adCaFile = addFileRow(form, tr("&CA certificate:"), u"adCaFile"_s, tr("empty: the system's trusted CAs"),
                            tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"));
    m_adAllowPlaintext = new QCheckBox(tr("Allow plaintext: send the password UNENCRYPTED over ldap://"), livePage);
    m_adAllowPlaintext->setObjectName(u"adAllowPlaintext"_s);
    m_adAllowPlaintext->setStyleSheet(u"QCheckBox { color: #b71c1c; font-weight: bold; }"_s);
    m_adAllowPlaintext->setToolTip(tr("Anyone on the network path can read the password. Only for an isolated test "
                                      "network; Active Directory usually refuses it anyway."));
    form->addRow(QString(), m_adAllowPlaintext);
    m_adPlaintextWarning = new QLabel(tr("⚠ The password and every attribute read will cross the network in clear."),
                                      livePage);
    m_adPlaintextWarning->setObjectName(u"adPlaintextWarning"_s);
    m_adPlaintextWarning->setStyleSheet(u"QLabel { color: #b71c1c; }"_s);
    m_adPlaintextWarning->setWordWrap(true);
    form->addRow(QString(), m_adPlaintextWarning);
    m_adStack->addWidget(livePage);
    layout->addWidget(m_adStack, 1);

    connect(m_adLive, &QRadioButton::toggled, this, &ConnectionDialog::updateEnabled);
    connect(m_adBind, &QComboBox::currentIndexChanged, this, &ConnectionDialog::updateEnabled);
    connect(m_adAllowPlaintext, &QCheckBox::toggled, this, &ConnectionDialog::updateEnabled);
    connect(m_adStartTls, &QCheckBox::toggled, this, &ConnectionDialog::updateEnabled);
    connect(m_adUrl, &QLineEdit::textChanged, this, &ConnectionDialog::updateEnabled);
    return box;
}

QGroupBox* ConnectionDialog::createCloudBox()
{
    auto* box = new QGroupBox(tr("Exchange Online and Entra ID"), this);
    auto* layout = new QVBoxLayout(box);
    auto* kindRow = new QHBoxLayout;
    m_cloudSnapshot = new QRadioButton(tr("Get-Mailbox e&xports"), box);
    m_cloudSnapshot->setObjectName(u"cloudSnapshot"_s);
    m_cloudLive = new QRadioButton(tr("&Tenant (live)"), box);
    m_cloudLive->setObjectName(u"cloudLive"_s);
    auto* group = new QButtonGroup(box);
    group->addButton(m_cloudSnapshot);
    group->addButton(m_cloudLive);
    m_cloudSnapshot->setChecked(true);
    kindRow->addWidget(m_cloudSnapshot);
    kindRow->addWidget(m_cloudLive);
    kindRow->addStretch(1);
    layout->addLayout(kindRow);

    m_cloudStack = new QStackedWidget(box);
    auto* snapshotPage = new QWidget(m_cloudStack);
    auto* snapshotForm = new QFormLayout(snapshotPage);
    m_cloudExo = addFileRow(snapshotForm, tr("&Mailboxes:"), u"cloudExoFile"_s,
                            tr("Get-Mailbox -ResultSize Unlimited | ConvertTo-Json …"),
                            tr("Get-Mailbox exports (*.json *.csv);;All files (*)"));
    m_cloudGraph = addFileRow(snapshotForm, tr("&Graph users:"), u"cloudGraphFile"_s, tr("optional: GET /v1.0/users …"),
                              tr("JSON files (*.json);;All files (*)"));
    auto* snapshotHint = new QLabel(tr("Without the Graph users export, mailboxes match on UPN and primary SMTP "
                                       "only (shown as soft matches)."),
                                    snapshotPage);
    snapshotHint->setWordWrap(true);
    snapshotForm->addRow(snapshotHint);
    m_cloudStack->addWidget(snapshotPage);

    auto* livePage = new QWidget(m_cloudStack);
    auto* form = new QFormLayout(livePage);
    m_cloudTenant = addLineRow(form, tr("Te&nant:"), u"cloudTenant"_s, u"contoso.onmicrosoft.com"_s);
    m_cloudClientId = addLineRow(form, tr("Client &id:"), u"cloudClientId"_s,
                                 tr("Application (client) ID of the app registration"));
    m_cloudSignIn = new QComboBox(livePage);
    m_cloudSignIn->setObjectName(u"cloudSignIn"_s);
    m_cloudSignIn->addItem(tr("Client secret (app-only)"), int(CloudTenantSettings::SignIn::ClientSecret));
    m_cloudSignIn->addItem(tr("Certificate (app-only)"), int(CloudTenantSettings::SignIn::Certificate));
    m_cloudSignIn->addItem(tr("Device code (sign in as you, in a browser)"),
                           int(CloudTenantSettings::SignIn::DeviceCode));
    form->addRow(tr("Sign-&in:"), m_cloudSignIn);
    m_cloudSecret =
        addLineRow(form, tr("Client s&ecret:"), u"cloudSecret"_s, tr("asked for each scan, never saved to a file"));
    m_cloudSecret->setEchoMode(QLineEdit::Password);
    m_cloudRememberSecret = addRememberRow(form, u"cloudRememberSecret"_s, m_cloudSecret);
    m_cloudCertificate = addFileRow(form, tr("Certi&ficate:"), u"cloudCertificateFile"_s,
                                    tr("PEM with the private key, or .pfx"),
                                    tr("Certificates (*.pem *.pfx *.p12);;All files (*)"));
    m_cloudCertificatePassword = addLineRow(form, tr("Certificate pass&word:"), u"cloudCertificatePassword"_s,
                                            tr(".pfx only; never saved to a file"));
    m_cloudCertificatePassword->setEchoMode(QLineEdit::Password);
    m_cloudRememberCertificatePassword =
        addRememberRow(form, u"cloudRememberCertificatePassword"_s, m_cloudCertificatePassword);
    m_cloudPreset = new QComboBox(livePage);
    m_cloudPreset->setObjectName(u"cloudPreset"_s);
    for (const CloudPreset& preset : kPresets)
        m_cloudPreset->addItem(tr(preset.label));
    m_cloudPreset->addItem(tr("Custom endpoints"));
    form->addRow(tr("C&loud:"), m_cloudPreset);
    m_cloudAuthority =
        addLineRow(form, tr("Authority:"), u"cloudAuthority"_s, CloudTenantSettings::kDefaultAuthority);
    m_cloudGraphEndpoint =
        addLineRow(form, tr("Graph:"), u"cloudGraphEndpoint"_s, CloudTenantSettings::kDefaultGraphEndpoint);
    m_cloudExoEndpoint =
        addLineRow(form, tr("Exchange Online:"), u"cloudExoEndpoint"_s, CloudTenantSettings::kDefaultExoEndpoint);
    applyCloudPreset(0);
    m_cloudStack->addWidget(livePage);
    layout->addWidget(m_cloudStack, 1);

    connect(m_cloudLive, &QRadioButton::toggled, this, &ConnectionDialog::updateEnabled);
    connect(m_cloudSignIn, &QComboBox::currentIndexChanged, this, &ConnectionDialog::updateEnabled);
    connect(m_cloudCertificate, &QLineEdit::textChanged, this, &ConnectionDialog::updateEnabled);
    connect(m_cloudPreset, &QComboBox::activated, this, &ConnectionDialog::applyCloudPreset);
    for (QLineEdit* e : {m_cloudAuthority, m_cloudGraphEndpoint, m_cloudExoEndpoint})
        connect(e, &QLineEdit::textEdited, this, [this] { m_cloudPreset->setCurrentIndex(m_cloudPreset->count() - 1); });
    return box;
}

void ConnectionDialog::applyCloudPreset(int index)
{
    if (index < 0 || index >= int(std::size(kPresets)))
        return;
    m_cloudAuthority->setText(QString::fromLatin1(kPresets[index].authority));
    m_cloudGraphEndpoint->setText(QString::fromLatin1(kPresets[index].graph));
    m_cloudExoEndpoint->setText(QString::fromLatin1(kPresets[index].exo));
}

void ConnectionDialog::updateEnabled()
{
    m_adStack->setCurrentIndex(m_adLive->isChecked() ? 1 : 0);
    m_cloudStack->setCurrentIndex(m_cloudLive->isChecked() ? 1 : 0);

    auto* adForm = qobject_cast<QFormLayout*>(m_adStack->widget(1)->layout());
    const bool simple = !m_adBind->currentData().toBool();
    const bool ldap = m_adUrl->text().trimmed().startsWith(u"ldap://"_s, Qt::CaseInsensitive);
    adForm->setRowVisible(m_adBindDn, simple);
    adForm->setRowVisible(m_adPassword, simple);
    adForm->setRowVisible(m_adRememberPassword, simple);
    m_adStartTls->setEnabled(ldap || m_adUrl->text().trimmed().isEmpty());
    m_adAllowPlaintext->setEnabled(ldap && !m_adStartTls->isChecked());
    adForm->setRowVisible(m_adPlaintextWarning, m_adAllowPlaintext->isChecked());

    auto* cloudForm = qobject_cast<QFormLayout*>(m_cloudStack->widget(1)->layout());
    const auto signIn = CloudTenantSettings::SignIn(m_cloudSignIn->currentData().toInt());
    const bool pkcs12 = m_cloudCertificate->text().endsWith(u".pfx"_s, Qt::CaseInsensitive) ||
                        m_cloudCertificate->text().endsWith(u".p12"_s, Qt::CaseInsensitive);
    cloudForm->setRowVisible(m_cloudSecret, signIn == CloudTenantSettings::SignIn::ClientSecret);
    cloudForm->setRowVisible(m_cloudRememberSecret, signIn == CloudTenantSettings::SignIn::ClientSecret);
    // The certificate row's field is a layout (edit + Browse…): find its row by the edit inside.
    for (int row = 0; row < cloudForm->rowCount(); ++row) {
        QLayoutItem* field = cloudForm->itemAt(row, QFormLayout::FieldRole);
        if (field && field->layout() && field->layout()->indexOf(m_cloudCertificate) >= 0)
            cloudForm->setRowVisible(row, signIn == CloudTenantSettings::SignIn::Certificate);
    }
    cloudForm->setRowVisible(m_cloudCertificatePassword, signIn == CloudTenantSettings::SignIn::Certificate && pkcs12);
    cloudForm->setRowVisible(m_cloudRememberCertificatePassword,
                             signIn == CloudTenantSettings::SignIn::Certificate && pkcs12);
    m_deleteProfile->setEnabled(ConnectionProfileStore(m_settings).names().contains(m_profileName->currentText()));
}

void ConnectionDialog::fillProfileNames(const QString& current)
{
    const QSignalBlocker block(m_profileName);
    m_profileName->clear();
    m_profileName->addItems(ConnectionProfileStore(m_settings).names());
    m_profileName->setCurrentText(current);
}

void ConnectionDialog::loadNamedProfile(const QString& name)
{
    ConnectionProfileStore store(m_settings);
    if (store.names().contains(name))
        setProfile(store.load(name));
}

void ConnectionDialog::deleteProfile()
{
    const QString name = m_profileName->currentText();
    if (QMessageBox::question(this, tr("Delete profile"), tr("Delete the profile \"%1\"? Scans already in the "
                                                             "history stay.").arg(name)) != QMessageBox::Yes)
        return;
    ConnectionProfileStore store(m_settings);
    store.remove(name);
    if (store.lastUsed() == name)
        store.setLastUsed({});
    fillProfileNames({});
    updateEnabled();
}

void ConnectionDialog::setProfile(const ConnectionProfile& p)
{
    m_profileName->setCurrentText(p.name);
    (p.ad.kind == AdSourceProfile::Kind::Live ? m_adLive : m_adSnapshot)->setChecked(true);
    m_adLdif->setText(p.ad.ldifFile);
    m_adUrl->setText(p.ad.dc.uri);
    m_adStartTls->setChecked(p.ad.dc.startTls);
    m_adBind->setCurrentIndex(m_adBind->findData(p.ad.dc.kerberos));
    m_adBindDn->setText(p.ad.dc.bindName);
    m_adBaseDn->setText(p.ad.dc.baseDn);
    m_adCaFile->setText(p.ad.dc.caFile);
    m_adAllowPlaintext->setChecked(p.ad.dc.allowInsecurePlaintext);
    m_adPassword->clear(); // a secret belongs to one scan of one profile

    (p.cloud.kind == CloudSourceProfile::Kind::Live ? m_cloudLive : m_cloudSnapshot)->setChecked(true);
    m_cloudExo->setText(p.cloud.exoFile);
    m_cloudGraph->setText(p.cloud.graphFile);
    const CloudTenantSettings& c = p.cloud.connection;
    m_loadedConnection = c;
    m_cloudTenant->setText(c.tenant);
    m_cloudClientId->setText(c.clientId);
    m_cloudSignIn->setCurrentIndex(m_cloudSignIn->findData(int(c.signIn)));
    m_cloudCertificate->setText(c.certificateFile);
    m_cloudAuthority->setText(c.authority);
    m_cloudGraphEndpoint->setText(c.graphEndpoint);
    m_cloudExoEndpoint->setText(c.exoEndpoint);
    int preset = m_cloudPreset->count() - 1;
    for (int i = 0; i < int(std::size(kPresets)); ++i) {
        if (c.authority == QLatin1StringView(kPresets[i].authority) &&
            c.graphEndpoint == QLatin1StringView(kPresets[i].graph) &&
            c.exoEndpoint == QLatin1StringView(kPresets[i].exo))
            preset = i;
    }
    m_cloudPreset->setCurrentIndex(preset);
    m_cloudSecret->clear();
    m_cloudCertificatePassword->clear();
    {
        // Loading the flags is not the admin ticking or unticking: no keyring probe, nothing forgotten.
        const QSignalBlocker a(m_adRememberPassword), b(m_cloudRememberSecret), c(m_cloudRememberCertificatePassword);
        m_adRememberPassword->setChecked(p.ad.rememberPassword);
        m_cloudRememberSecret->setChecked(p.cloud.rememberClientSecret);
        m_cloudRememberCertificatePassword->setChecked(p.cloud.rememberCertificatePassword);
    }
    for (QLineEdit* e : findChildren<QLineEdit*>())
        e->setStyleSheet({});
    m_problems->hide();
    m_keyringMessage->hide();
    updateEnabled();
    recallRemembered(p);
}

ConnectionProfile ConnectionDialog::profile() const
{
    ConnectionProfile p;
    p.name = m_profileName->currentText().trimmed();
    p.ad.kind = m_adLive->isChecked() ? AdSourceProfile::Kind::Live : AdSourceProfile::Kind::Snapshot;
    p.ad.ldifFile = m_adLdif->text().trimmed();
    p.ad.dc.uri = m_adUrl->text().trimmed();
    p.ad.dc.startTls = m_adStartTls->isChecked();
    p.ad.dc.kerberos = m_adBind->currentData().toBool();
    p.ad.dc.bindName = m_adBindDn->text().trimmed();
    p.ad.dc.baseDn = m_adBaseDn->text().trimmed();
    p.ad.dc.caFile = m_adCaFile->text().trimmed();
    p.ad.dc.allowInsecurePlaintext = m_adAllowPlaintext->isChecked();
    p.ad.rememberPassword = m_adRememberPassword->isChecked();
    p.cloud.kind = m_cloudLive->isChecked() ? CloudSourceProfile::Kind::Live : CloudSourceProfile::Kind::Snapshot;
    p.cloud.exoFile = m_cloudExo->text().trimmed();
    p.cloud.graphFile = m_cloudGraph->text().trimmed();
    CloudTenantSettings& c = p.cloud.connection;
    c = m_loadedConnection; // what is not shown stays as loaded
    c.tenant = m_cloudTenant->text().trimmed();
    c.clientId = m_cloudClientId->text().trimmed();
    c.signIn = CloudTenantSettings::SignIn(m_cloudSignIn->currentData().toInt());
    c.certificateFile = m_cloudCertificate->text().trimmed();
    c.authority = m_cloudAuthority->text().trimmed();
    c.graphEndpoint = m_cloudGraphEndpoint->text().trimmed();
    c.exoEndpoint = m_cloudExoEndpoint->text().trimmed();
    p.cloud.rememberClientSecret = m_cloudRememberSecret->isChecked();
    p.cloud.rememberCertificatePassword = m_cloudRememberCertificatePassword->isChecked();
    return p;
}

ScanSecrets ConnectionDialog::secrets() const
{
    ScanSecrets s;
    s.adPassword = m_adPassword->text().toUtf8();
    s.clientSecret = m_cloudSecret->text();
    s.certificatePassword = m_cloudCertificatePassword->text().toUtf8();
    return s;
}

QList<ProfileProblem> ConnectionDialog::validate()
{
    const ConnectionProfile p = profile();
    QList<ProfileProblem> problems = validateProfile(p);
    if (p.needsAdPassword() && m_adPassword->text().isEmpty() && !p.ad.dc.bindName.isEmpty())
        problems.append({u"adPassword"_s, tr("Password: enter the password of %1. It serves this scan only, unless "
                                             "you tick Remember in the desktop keyring.")
                                              .arg(p.ad.dc.bindName)});
    if (p.needsClientSecret() && m_cloudSecret->text().isEmpty())
        problems.append({u"cloudSecret"_s, tr("Client secret: paste the secret's Value (not its ID) from the app "
                                              "registration's Certificates & secrets. It serves this scan only, "
                                              "unless you tick Remember in the desktop keyring.")});
    showProblems(problems);
    return problems;
}

void ConnectionDialog::showProblems(const QList<ProfileProblem>& problems)
{
    for (QLineEdit* e : findChildren<QLineEdit*>())
        e->setStyleSheet({});
    for (QCheckBox* c : {m_adStartTls, m_adAllowPlaintext})
        c->setStyleSheet(c == m_adAllowPlaintext ? u"QCheckBox { color: #b71c1c; font-weight: bold; }"_s : QString());
    if (problems.isEmpty()) {
        m_problems->hide();
        return;
    }
    QStringList lines;
    QWidget* first = nullptr;
    for (const ProfileProblem& problem : problems) {
        lines << u"• "_s + problem.message.toHtmlEscaped();
        if (auto* w = findChild<QWidget*>(problem.field)) {
            if (qobject_cast<QLineEdit*>(w))
                w->setStyleSheet(QString::fromLatin1(kProblemStyle));
            if (!first)
                first = w;
        }
    }
    m_problems->setText(lines.join(u"<br>"_s));
    m_problems->show();
    if (first)
        first->setFocus(Qt::OtherFocusReason);
}

bool ConnectionDialog::saveProfile()
{
    const ConnectionProfile p = profile();
    if (p.name.isEmpty()) {
        showProblems({{u"profileName"_s, tr("Profile: type a name for this pair of sources, then Save profile.")}});
        return false;
    }
    ConnectionProfileStore store(m_settings);
    store.save(p);
    store.setLastUsed(p.name);
    m_settings.sync();
    fillProfileNames(p.name);
    updateEnabled();
    return true;
}

void ConnectionDialog::accept()
{
    if (!validate().isEmpty())
        return;
    ConnectionProfileStore store(m_settings);
    const ConnectionProfile p = profile();
    // A named profile is kept up to date with what was scanned; an unnamed one is a one-off.
    if (!p.name.isEmpty()) {
        store.save(p);
        store.setLastUsed(p.name);
    }
    rememberTicked();
    QDialog::accept();
}

QCheckBox* ConnectionDialog::addRememberRow(QFormLayout* form, const QString& objectName, QLineEdit* secret)
{
    auto* box = new QCheckBox(tr("Remember in the desktop keyring"), this);
    box->setObjectName(objectName);
    box->setToolTip(tr("Keeps this secret in your desktop keyring (GNOME Keyring, KWallet, …), never in a file; "
                       "the profile notes only that it is there. Untick to forget it."));
    form->addRow(QString(), box);
    connect(box, &QCheckBox::toggled, this, [this, secret, box](bool on) { rememberToggled(secret, box, on); });
    return box;
}

QList<ConnectionDialog::RememberedSecret> ConnectionDialog::rememberedSecrets() const
{
    return {{m_adPassword, m_adRememberPassword},
            {m_cloudSecret, m_cloudRememberSecret},
            {m_cloudCertificatePassword, m_cloudRememberCertificatePassword}};
}

std::optional<SecretKey> ConnectionDialog::keyringKey(const QLineEdit* field) const
{
    const ConnectionProfile p = profile();
    SecretKey key;
    if (field == m_adPassword) {
        key = {SecretKey::Kind::AdBindPassword, QUrl(p.ad.dc.uri).host(), p.ad.dc.bindName};
    } else {
        key = {field == m_cloudSecret ? SecretKey::Kind::ClientSecret : SecretKey::Kind::CertificatePassword,
               p.cloud.connection.tenant, p.cloud.connection.clientId};
    }
    if (key.tenant.isEmpty() || key.clientId.isEmpty())
        return std::nullopt;
    return key;
}

void ConnectionDialog::recallRemembered(const ConnectionProfile& p)
{
    const quint64 generation = ++m_recallGeneration;
    const bool wanted[] = {p.ad.rememberPassword && p.needsAdPassword(),
                           p.cloud.rememberClientSecret && p.needsClientSecret(),
                           p.cloud.rememberCertificatePassword && p.cloud.kind == CloudSourceProfile::Kind::Live &&
                               p.cloud.connection.signIn == CloudTenantSettings::SignIn::Certificate};
    const QList<RememberedSecret> secrets = rememberedSecrets();
    for (qsizetype i = 0; i < secrets.size(); ++i) {
        const std::optional<SecretKey> key = keyringKey(secrets[i].field);
        if (!wanted[i] || !key)
            continue;
        QLineEdit* field = secrets[i].field;
        m_keyring->recall(*key, this, [this, generation, field](const SecretResult<QByteArray>& secret) {
            if (generation != m_recallGeneration)
                return;
            if (!secret) {
                // Nothing there yet (typed next scan, remembered then) is no problem to report.
                if (secret.error().reason != SecretStoreError::Reason::NotFound)
                    showKeyringProblem(secret.error());
                return;
            }
            if (!field->text().isEmpty()) // the admin typed one meanwhile: theirs wins
                return;
            field->setText(QString::fromUtf8(secret.value())); // echo mode Password: shown as filled only
            field->setStyleSheet({});
        });
    }
}

void ConnectionDialog::rememberToggled(QLineEdit* field, QCheckBox* box, bool on)
{
    const std::optional<SecretKey> key = keyringKey(field);
    if (!key) // the fields naming the entry are empty: it is stored (or not) when the scan starts
        return;
    QPointer<QCheckBox> guard(box);
    if (on) {
        // Ask the keyring now, so that a missing one is said while the admin is here, not after the scan started.
        m_keyring->recall(*key, this, [this, guard](const SecretResult<QByteArray>& probe) {
            if (probe || probe.error().reason == SecretStoreError::Reason::NotFound)
                return;
            if (guard) {
                const QSignalBlocker block(guard.data());
                guard->setChecked(false);
            }
            showKeyringProblem(probe.error());
        });
        return;
    }
    m_keyring->forget(*key, this, [this](const SecretResult<void>& forgotten) {
        if (!forgotten && forgotten.error().reason != SecretStoreError::Reason::NoKeyring) // none: nothing was there
            showKeyringProblem(forgotten.error());
    });
}

void ConnectionDialog::rememberTicked()
{
    const ConnectionProfile p = profile();
    const bool needed[] = {p.needsAdPassword(), p.needsClientSecret(),
                           p.cloud.kind == CloudSourceProfile::Kind::Live &&
                               p.cloud.connection.signIn == CloudTenantSettings::SignIn::Certificate};
    const QList<RememberedSecret> secrets = rememberedSecrets();
    for (qsizetype i = 0; i < secrets.size(); ++i) {
        const std::optional<SecretKey> key = keyringKey(secrets[i].field);
        if (!needed[i] || !key || !secrets[i].box->isChecked() || secrets[i].field->text().isEmpty())
            continue;
        // The job outlives the dialog (it closes now, the scan starts); SecretStore logs a failure. A missing
        // keyring was already said when the box was ticked.
        m_keyring->remember(*key, secrets[i].field->text().toUtf8(), this, [](const SecretResult<void>&) {});
    }
}

void ConnectionDialog::showKeyringProblem(const SecretStoreError& error)
{
    const QString lead = error.reason == SecretStoreError::Reason::NoKeyring
                             ? tr("No desktop keyring: the secret is used for this scan only.")
                             : tr("The desktop keyring did not keep the secret: it is used for this scan only.");
    m_keyringMessage->setText(lead + u' ' + error.message.toHtmlEscaped());
    m_keyringMessage->show();
}

} // namespace sunset
