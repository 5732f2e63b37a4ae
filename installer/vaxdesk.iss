; Inno Setup script for the Windows installer of VaxDesk (LG-WAN terminals).
; Build on Windows after `pyinstaller --noconfirm build.spec`:
;     iscc installer\vaxdesk.iss
; Installs per machine into Program Files; the register itself is never part of the installer
; and is never created, overwritten or removed by it.

#define AppName "VaxDesk"
#define AppVersion "0.1.0"

[Setup]
AppId={{6F1B6C9E-4E0B-4C55-9C2B-5A9B7D1D2E10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=VaxDesk
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
OutputBaseFilename=VaxDesk-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
PrivilegesRequired=admin
ArchitecturesInstallIn64BitMode=x64
UninstallDisplayName={#AppName}

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Files]
Source: "..\dist\vaxdesk\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\VaxDesk 予防接種台帳"; Filename: "{app}\vaxdesk.exe"; Parameters: "gui"
Name: "{group}\VaxDesk デモ"; Filename: "{app}\vaxdesk.exe"; Parameters: "demo"

[UninstallDelete]
; Only the program folder. Registers, key slots and backups live in folders chosen by the
; administrator and are never deleted by the uninstaller.
Type: filesandordirs; Name: "{app}\__pycache__"
