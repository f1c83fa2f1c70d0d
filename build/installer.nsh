; Included by electron-builder's NSIS installer (electron-builder.yml: nsis.include).
; Managed install, as IT runs it (see docs/deployment.md):
;   "Practice Messenger Setup 0.1.0.exe" /S /RELAYURL=https://relay.example.nhs.uk:8443 /CERTPIN=<64 hex>
; writes the relay URL and certificate pin to the machine policy that the app reads first
; (HKLM\SOFTWARE\Policies\PracticeMessenger, the key of the Group Policy templates).
; Uninstall leaves every profile in place; `Uninstall Practice Messenger.exe /S /DELETEPROFILES`
; also removes the profiles of the account running it.
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

!define PMSG_POLICY_KEY "SOFTWARE\Policies\PracticeMessenger"

!macro customInstall
  ${GetParameters} $R0
  ; The 64-bit registry view, where the 64-bit app reads its policy.
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/RELAYURL=" $R1
  ${IfNot} ${Errors}
  ${AndIf} $R1 != ""
    WriteRegStr HKLM "${PMSG_POLICY_KEY}" "serverUrl" "$R1"
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/CERTPIN=" $R1
  ${IfNot} ${Errors}
  ${AndIf} $R1 != ""
    WriteRegStr HKLM "${PMSG_POLICY_KEY}" "serverCertificateSha256" "$R1"
  ${EndIf}
  SetRegView lastused
!macroend

!macro customUnInstall
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/DELETEPROFILES" $R1
  ${IfNot} ${Errors}
    ; Profiles live in each user's own AppData; only the running account's can be reached here.
    SetShellVarContext current
    RMDir /r "$APPDATA\Practice Messenger"
    SetShellVarContext all
  ${EndIf}
!macroend
