// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ConnectionProfile.h"
#include "platform/SecretStore.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSettings;
class QStackedWidget;

namespace sunset {

// Chooses the two sources of a scan: AD from an LDIF export or a domain controller, the cloud from Get-Mailbox
// exports or the tenant itself; named profiles remember everything but the secrets, which are typed here for
// this scan only, or, per secret and only when the admin ticks "Remember in the desktop keyring", kept in the
// keyring (SecretStore; recalled asynchronously when the profile opens). "Scan" validates first and names each
// field to fix.
class ConnectionDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionDialog)

public:
    // settings: where profiles are kept (ConnectionProfileStore); it must outlive the dialog.
    explicit ConnectionDialog(QSettings& settings, QWidget* parent = nullptr);
    ~ConnectionDialog() override;

    void setProfile(const ConnectionProfile& profile);
    ConnectionProfile profile() const;
    ScanSecrets secrets() const;
    ScanRequest request() const { return {profile(), secrets()}; }

    // The profile's problems plus a missing secret; shows them in the dialog and marks the fields.
    QList<ProfileProblem> validate();
    // Saves the profile under the name in the profile box (no secret); false with a message when it has none.
    bool saveProfile();

    void accept() override; // validates; stays open on a problem
    // Keyring calls (recall, remember, forget) not answered yet: 0 once nothing asynchronous is left that could
    // still store a secret or show a keyring problem (tests wait for it).
    int keyringJobsUnderWay() const { return m_keyring->jobsUnderWay(); }

private:
    QGroupBox* createAdBox();
    QGroupBox* createCloudBox();
    QLineEdit* addFileRow(QFormLayout* form, const QString& label, const QString& objectName,
                          const QString& placeholder, const QString& filter);
    QLineEdit* addLineRow(QFormLayout* form, const QString& label, const QString& objectName,
                          const QString& placeholder);
    void loadNamedProfile(const QString& name);
    void deleteProfile();
    void fillProfileNames(const QString& current);
    void updateEnabled();
    void showProblems(const QList<ProfileProblem>& problems);
    void applyCloudPreset(int index);
    QCheckBox* addRememberRow(QFormLayout* form, const QString& objectName, QLineEdit* secret);
    // The keyring entry of the secret typed into field, from the fields that name it; none while they are empty.
    std::optional<SecretKey> keyringKey(const QLineEdit* field) const;
    void recallRemembered(const ConnectionProfile& profile);
    void rememberToggled(QLineEdit* field, QCheckBox* box, bool on);
    void rememberTicked();
    void showKeyringProblem(const SecretStoreError& error);

    // Each secret field with its "Remember in the desktop keyring" box.
    struct RememberedSecret {
        QLineEdit* field = nullptr;
        QCheckBox* box = nullptr;
    };
    QList<RememberedSecret> rememberedSecrets() const;

    QSettings& m_settings;

    QComboBox* m_profileName = nullptr;
    QPushButton* m_deleteProfile = nullptr;

    QRadioButton* m_adSnapshot = nullptr;
    QRadioButton* m_adLive = nullptr;
    QStackedWidget* m_adStack = nullptr;
    QLineEdit* m_adLdif = nullptr;
    QLineEdit* m_adUrl = nullptr;
    QCheckBox* m_adStartTls = nullptr;
    QComboBox* m_adBind = nullptr;
    QLineEdit* m_adBindDn = nullptr;
    QLineEdit* m_adPassword = nullptr;
    QLineEdit* m_adBaseDn = nullptr;
    QLineEdit* m_adCaFile = nullptr;
    QCheckBox* m_adRememberPassword = nullptr;
    QCheckBox* m_adAllowPlaintext = nullptr;
    QLabel* m_adPlaintextWarning = nullptr;

    QRadioButton* m_cloudSnapshot = nullptr;
    QRadioButton* m_cloudLive = nullptr;
    QStackedWidget* m_cloudStack = nullptr;
    QLineEdit* m_cloudExo = nullptr;
    QLineEdit* m_cloudGraph = nullptr;
    QLineEdit* m_cloudTenant = nullptr;
    QLineEdit* m_cloudClientId = nullptr;
    QComboBox* m_cloudSignIn = nullptr;
    QLineEdit* m_cloudSecret = nullptr;
    QCheckBox* m_cloudRememberSecret = nullptr;
    QLineEdit* m_cloudCertificate = nullptr;
    QLineEdit* m_cloudCertificatePassword = nullptr;
    QCheckBox* m_cloudRememberCertificatePassword = nullptr;
    QComboBox* m_cloudPreset = nullptr;
    QLineEdit* m_cloudAuthority = nullptr;
    QLineEdit* m_cloudGraphEndpoint = nullptr;
    QLineEdit* m_cloudExoEndpoint = nullptr;

    // The loaded profile's cloud connection: what the dialog does not show (the token audiences, set outside it)
    // is kept from here.
    CloudTenantSettings m_loadedConnection;
    QLabel* m_problems = nullptr;
    QLabel* m_keyringMessage = nullptr; // the keyring is unavailable or refused: the secret is for this scan only
    QPushButton* m_scan = nullptr;

    SecretStore* m_keyring = nullptr;
    quint64 m_recallGeneration = 0; // answers for a profile no longer shown are dropped
};

} // namespace sunset
