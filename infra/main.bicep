// The restricted-sender responder on Azure: one resource group holding a Flex Consumption
// function app (Python 3.11), its storage, Key Vault, monitoring and a user-assigned identity.
// Tenant permissions (Graph, Exchange, Management API) are not here: `python -m remediation.setup`
// grants them (azd runs it after provisioning; docs/DEPLOY.md).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds the resource names.')
param environmentName string

@minLength(1)
@description('Region of every resource. It must offer Flex Consumption: az functionapp list-flexconsumption-locations.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Name of the resource group. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the person or pipeline that deploys: may read and rotate the webhook secret (azd reads it back on every provision). Empty: nobody.')
param principalId string = ''

@secure()
@minLength(15)
@description('The authId the Management Activity API echoes as Webhook-AuthID. Stored only in Key Vault; azd generates it once and reads it back afterwards.')
param o365WebhookAuthId string

@description('Upper bound of Flex Consumption instances (40 is the smallest allowed); fewer instances means fewer parallel calls to Graph and Exchange.')
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
@description('Memory of one instance in MB.')
param instanceMemoryMB int = 2048

@description('Private networking: the app reaches its storage over private endpoints and the storage account refuses public traffic (app/network.bicep).')
param privateNetworking bool = false

@description('Days Log Analytics keeps the logs.')
param logRetentionDays int = 30

// ---- App settings: every setting of remediation/settings.py, as strings (app settings are strings).
// Defaults are those of settings.py; the app validates the values when it starts.

@description('TENANT_ID: the tenant the app acts on. Empty: the tenant of this subscription.')
param tenantId string = ''

@allowed(['AzurePublicCloud', 'AzureUSGovernment', 'AzureUSGovernmentDoD', 'AzureChinaCloud'])
@description('AZURE_CLOUD: the national cloud; sets the four hosts below unless they are given.')
param azureCloud string = 'AzurePublicCloud'

@description('GRAPH_BASE_URL: Microsoft Graph root. Empty: the one of azureCloud.')
param graphBaseUrl string = ''

@description('EXCHANGE_BASE_URL: Exchange Online admin API root. Empty: the one of azureCloud.')
param exchangeBaseUrl string = ''

@description('MANAGEMENT_API_BASE_URL: Office 365 Management Activity API root; the only host content is fetched from. Empty: the one of azureCloud.')
param managementApiBaseUrl string = ''

@description('LOGIN_BASE_URL: Entra authority. Empty: the one of azureCloud.')
param loginBaseUrl string = ''

@description('API_AUDIENCE: the audience admin and intake tokens must carry (the API app registration\'s application id).')
param apiAudience string = ''

@allowed(['dry-run', 'enforce'])
@description('REMEDIATION_MODE: dry-run plans and records only; enforce acts on the tenant.')
param remediationMode string = 'dry-run'

@description('FOLLOW_UP_DELAY_SECONDS: delay of the follow-up check.')
param followUpDelaySeconds string = '3600'

@description('SWEEP_SCHEDULE: NCRONTAB schedule of the blocked-list sweep.')
param sweepSchedule string = '0 */1 * * * *'

@description('PROTECTED_ACCOUNTS: UPNs and group object ids (comma separated) whose remediation waits for approval.')
param protectedAccounts string = ''

@description('NOTIFY_SENDER: mailbox that sends the summaries (Mail.Send is scoped to it, see README).')
param notifySender string = ''

@description('NOTIFY_RECIPIENTS: security team addresses (comma separated).')
param notifyRecipients string = ''

@description('REMEDIATION_QUEUE: the work queue (created here, with its -poison queue).')
param remediationQueue string = 'remediation-jobs'

@description('JOBS_TABLE: the table of job records (created here).')
param jobsTable string = 'remediationjobs'

@description('PUBLIC_BASE_URL: root of the links in job URLs and summaries. Empty: https://<function app>.azurewebsites.net.')
param publicBaseUrl string = ''

@description('UNBLOCK_BUDGET_COUNT: automatic unblocks allowed per user within the window.')
param unblockBudgetCount string = '1'

@description('UNBLOCK_BUDGET_WINDOW_DAYS: the window of the unblock budget.')
param unblockBudgetWindowDays string = '7'

@description('AUTH_METHODS_RECENT_DAYS: authentication methods registered this recently before the block are removed.')
param authMethodsRecentDays string = '7'

@description('APP_CONSENTS_ACTION: remove (default) or report the consents of unverified outside apps to mail, files or contacts.')
@allowed(['remove', 'report'])
param appConsentsAction string = 'remove'

@description('DISABLE_ACCOUNT_WHEN_MANUAL_RESET: block sign-in when the password needs a human reset.')
param disableAccountWhenManualReset string = 'false'

@description('DISABLE_ACCOUNT_ON_RECURRENCE: block sign-in when the user is blocked again after our unblock.')
param disableAccountOnRecurrence string = 'false'

@description('FOLLOW_UP_MAX_HOURS: escalate at the latest this long after the unblock.')
param followUpMaxHours string = '24'

@description('BREAKER_MAX_JOBS_PER_HOUR: confirmed blocks of automatic jobs per hour, tenant-wide, before further ones wait for approval.')
param breakerMaxJobsPerHour string = '20'

@description('EVIDENCE_SUBJECTS: false leaves the subjects of the messages sent out of the evidence.')
param evidenceSubjects string = 'true'

@description('WATCH_DAYS: how long a resolved job is watched (0: no watch).')
param watchDays string = '7'

@description('WATCH_INTERVAL_SECONDS: time between two watch checks.')
param watchIntervalSeconds string = '86400'

@description('APPROVAL_TIMEOUT_HOURS: a job held for approval this long is escalated (at most 168).')
param approvalTimeoutHours string = '24'

@description('MAX_REQUEST_BYTES: largest accepted request body.')
param maxRequestBytes string = '65536'

@description('MAX_USERS_PER_ALERT: an alert naming more users is refused.')
param maxUsersPerAlert string = '50'

@description('RETRY_MAX_WAIT_SECONDS: longest total wait of one call\'s retries before the queue retries instead.')
param retryMaxWaitSeconds string = '30'

@description('ALERT_NAME: name of the alert policy the intake routes act on.')
param alertName string = 'User restricted from sending email'

@description('AZURE_MONITOR_USER_FIELD: column of an Azure Monitor alert that holds the user.')
param azureMonitorUserField string = 'UserPrincipalName'

@description('ALERTS_POLL_SCHEDULE: NCRONTAB schedule of the Graph security alerts poll.')
param alertsPollSchedule string = '0 */5 * * * *'

@description('POISON_SCHEDULE: NCRONTAB schedule of the poison-queue report.')
param poisonSchedule string = '0 */5 * * * *'

@description('STALE_JOB_MINUTES: a running job untouched this long is re-driven by the sweep.')
param staleJobMinutes string = '15'

@description('CONSOLE_CLIENT_ID: client id of the admin console\'s single-page app registration (empty: no sign-in).')
param consoleClientId string = ''

@description('CONSOLE_LOGIN_BASE_URL: the authority the console signs in at (empty: LOGIN_BASE_URL).')
param consoleLoginBaseUrl string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-api-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'
var webhookSecretName = 'o365-webhook-auth-id'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

// The one identity of the app: host storage, its own queue and table calls, Key Vault
// references, Application Insights, and (granted by hand) Graph, Exchange and the Management API.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: 'plan-${resourceToken}'
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
    location: location
    tags: tags
  }
}

module storage 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    skuName: 'Standard_LRS'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // identities only: no account keys, no connection strings
    dnsEndpointType: 'Standard'
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateNetworking ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [{ name: deploymentContainerName }]
    }
    minimumTlsVersion: 'TLS1_2'
    location: location
    tags: tags
  }
}

module network 'app/network.bicep' = if (privateNetworking) {
  name: 'network'
  scope: rg
  params: {
    name: 'vnet-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
  }
}

module storageObjects 'app/storage-objects.bicep' = {
  name: 'storageObjects'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    queueName: remediationQueue
    tableName: jobsTable
  }
}

module logAnalytics 'app/log-analytics.bicep' = {
  name: 'logAnalytics'
  scope: rg
  params: {
    name: 'log-${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionDays
  }
}

module monitoring 'br/public:avm/res/insights/component:0.4.1' = {
  name: 'monitoring'
  scope: rg
  params: {
    name: 'appi-${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true // telemetry is sent with the identity (Monitoring Metrics Publisher)
  }
}

// Holds the webhook authId only (app/vault.bicep: RBAC mode, purge protection, audit log).
module keyVault 'app/vault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    webhookSecretName: webhookSecretName
    webhookSecretValue: o365WebhookAuthId
    workspaceResourceId: logAnalytics.outputs.resourceId
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    webhookSecretName: webhookSecretName
    appInsightsName: monitoring.outputs.name
    identityPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
  }
}

// The hosts of each national cloud: the table of remediation/clouds.py (a test keeps them equal).
var cloudHosts = {
  AzurePublicCloud: { graph: 'https://graph.microsoft.com', exchange: 'https://outlook.office365.com', managementApi: 'https://manage.office.com', login: 'https://login.microsoftonline.com' }
  AzureUSGovernment: { graph: 'https://graph.microsoft.us', exchange: 'https://outlook.office365.us', managementApi: 'https://manage.office365.us', login: 'https://login.microsoftonline.us' }
  AzureUSGovernmentDoD: { graph: 'https://dod-graph.microsoft.us', exchange: 'https://outlook-dod.office365.us', managementApi: 'https://manage.protection.apps.mil', login: 'https://login.microsoftonline.us' }
  AzureChinaCloud: { graph: 'https://microsoftgraph.chinacloudapi.cn', exchange: 'https://partner.outlook.cn', managementApi: '', login: 'https://login.chinacloudapi.cn' }
}
var hosts = cloudHosts[azureCloud]

var remediationSettings = {
  TENANT_ID: !empty(tenantId) ? tenantId : tenant().tenantId
  AZURE_CLOUD: azureCloud
  GRAPH_BASE_URL: !empty(graphBaseUrl) ? graphBaseUrl : hosts.graph
  EXCHANGE_BASE_URL: !empty(exchangeBaseUrl) ? exchangeBaseUrl : hosts.exchange
  MANAGEMENT_API_BASE_URL: !empty(managementApiBaseUrl) ? managementApiBaseUrl : hosts.managementApi
  LOGIN_BASE_URL: !empty(loginBaseUrl) ? loginBaseUrl : hosts.login
  API_AUDIENCE: apiAudience
  REMEDIATION_MODE: remediationMode
  FOLLOW_UP_DELAY_SECONDS: followUpDelaySeconds
  SWEEP_SCHEDULE: sweepSchedule
  PROTECTED_ACCOUNTS: protectedAccounts
  // Versionless reference: a rotated secret reaches the app without a redeployment.
  O365_WEBHOOK_AUTH_ID: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${webhookSecretName}/)'
  NOTIFY_SENDER: notifySender
  NOTIFY_RECIPIENTS: notifyRecipients
  REMEDIATION_QUEUE: remediationQueue
  JOBS_TABLE: jobsTable
  PUBLIC_BASE_URL: !empty(publicBaseUrl) ? publicBaseUrl : 'https://${functionAppName}.azurewebsites.net'
  UNBLOCK_BUDGET_COUNT: unblockBudgetCount
  UNBLOCK_BUDGET_WINDOW_DAYS: unblockBudgetWindowDays
  AUTH_METHODS_RECENT_DAYS: authMethodsRecentDays
  APP_CONSENTS_ACTION: appConsentsAction
  DISABLE_ACCOUNT_WHEN_MANUAL_RESET: disableAccountWhenManualReset
  DISABLE_ACCOUNT_ON_RECURRENCE: disableAccountOnRecurrence
  FOLLOW_UP_MAX_HOURS: followUpMaxHours
  BREAKER_MAX_JOBS_PER_HOUR: breakerMaxJobsPerHour
  EVIDENCE_SUBJECTS: evidenceSubjects
  WATCH_DAYS: watchDays
  WATCH_INTERVAL_SECONDS: watchIntervalSeconds
  APPROVAL_TIMEOUT_HOURS: approvalTimeoutHours
  MAX_REQUEST_BYTES: maxRequestBytes
  MAX_USERS_PER_ALERT: maxUsersPerAlert
  RETRY_MAX_WAIT_SECONDS: retryMaxWaitSeconds
  ALERT_NAME: alertName
  AZURE_MONITOR_USER_FIELD: azureMonitorUserField
  ALERTS_POLL_SCHEDULE: alertsPollSchedule
  POISON_SCHEDULE: poisonSchedule
  STALE_JOB_MINUTES: staleJobMinutes
  CONSOLE_CLIENT_ID: consoleClientId
  CONSOLE_LOGIN_BASE_URL: consoleLoginBaseUrl
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    appServicePlanId: plan.outputs.resourceId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.name
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: remediationSettings
    virtualNetworkSubnetId: privateNetworking ? network.outputs.appSubnetId : ''
  }
  // The app starts once its roles exist, so its first Key Vault reference and storage calls succeed.
  dependsOn: [rbac, storageObjects]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output AZURE_FUNCTION_URL string = 'https://${api.outputs.defaultHostname}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
// Where each alert source posts (docs/DEPLOY.md, "Alert sources"). Azure Monitor's URI needs the
// function key appended as ?code=<key>: the route is function-key level.
output O365_WEBHOOK_URL string = 'https://${api.outputs.defaultHostname}/api/alerts/o365'
output AZURE_MONITOR_WEBHOOK_URL string = 'https://${api.outputs.defaultHostname}/api/alerts/azure-monitor'
output SENTINEL_WEBHOOK_URL string = 'https://${api.outputs.defaultHostname}/api/alerts/sentinel'
