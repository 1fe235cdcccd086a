// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

// Declared apart from its definitions so that moc never reads the JSON and CSV literals in the .cpp.
class TestJsonPullParser final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tokenSequence();
    void escapes();
    void escapedKeyStaysValidForPath();
    void plainStringsAreViewsIntoTheInput();
    void surrogateErrors_data();
    void surrogateErrors();
    void nestingLimit();
    void truncatedInput_data();
    void truncatedInput();
    void truncatedSaysSo();
    void htmlErrorPage();
    void trailingGarbage();
    void nulBytes();
    void otherSyntaxErrors_data();
    void otherSyntaxErrors();
    void errorIsSticky();
    void pathAndLineInErrors();
    void unexpectedDescribesToken();
    void skipValue();
    void bomIsSkipped();
    void integers();
    void randomGarbageNeverHangs();
};
