; Inno Setup 6 script: per-machine installer for Inspector (built by build.ps1).
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\inspector.iss
; Installs dist\Inspector\ into C:\Program Files\Inspector with Start-menu shortcuts and
; an uninstaller. User data lives per Windows account, never in the program folder:
; projects and logs in %LOCALAPPDATA%\Inspector (platformdirs), the GUI's station/product
; in HKCU\Software\Inspector (QSettings). Upgrades and uninstall leave it alone.
; Needs Inno Setup 6.3 or newer (x64compatible).
; NOT tested by the team (no Windows machine); see docs\packaging.md.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Inspector"
#define AppExe "Inspector.exe"

[Setup]
; Fixed AppId: a newer installer upgrades the existing installation in place.
AppId={{6F1E3C52-9B7A-4E0D-A3C4-2D8B5F1A7E90}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Inspector team
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
; Ask running copies to close before files are replaced (upgrade) or removed.
CloseApplications=yes
RestartApplications=no

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; Upgrade: drop the previous version's program files first so no stale library remains.
; This is the program folder only; user data is elsewhere and is never touched.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\..\dist\Inspector\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autoprograms}\{#AppName} self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\InspectorConsole.exe"" --self-test"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent runasoriginaluser

[UninstallDelete]
; Files the program may have created inside its own folder (e.g. __pycache__ of the
; migration scripts). Deliberately nothing under {localappdata} / {userappdata}:
; projects, settings and logs survive uninstalling.
Type: filesandordirs; Name: "{app}\_internal"
Type: dirifempty; Name: "{app}"
