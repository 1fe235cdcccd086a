// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

// Declared apart from its definitions so that moc never reads the JSON and CSV literals in the .cpp.
class TestExoMailboxCsvReader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void typeLineQuotesAndEmbeddedNewlines();
    void lineNumbersCountEmbeddedNewlines();
    void headerIsCaseInsensitiveAndUnquotedFieldsWork();
    void otherSeparator();
    void semicolonDelimiter();
    void sentinels_data();
    void sentinels();
    void sentinelInUnusedColumnIsFine();
    void wrongFieldCount();
    void missingIdentityColumns();
    void missingIdentityValues();
    void badValues();
    void malformedQuoting();
    void emptyFile();
    void utf8Bom();
    void utf16LittleEndianWithBom();
    void graphJoin();
    void cancel();
};
