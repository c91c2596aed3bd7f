// zoho_sdk_check.mjs: Zoho's official Node SDK (@zohocrm/nodejs-sdk-8.0) against tools/zoho_sim.
//
//   ZOHO_URL=http://127.0.0.1:PORT ZOHO_CLIENT_ID=... ZOHO_CLIENT_SECRET=... \
//   ZOHO_REFRESH_TOKEN=... ZOHO_SDK_DIR=/tmp/x ZOHO_MODIFIED_SINCE=2026-02-15T00:00:00-05:00 \
//   HADES_NPM_DIR=.deps/npm node zoho_sdk_check.mjs
//
// Run by zoho_sdk_test.cc, which knows the org's truth and compares. The SDK is configured as any
// client of a data centre it does not know: an Environment with the simulator as API domain and
// accounts server, a FileStore for tokens and the SDK's field-metadata cache in ZOHO_SDK_DIR
// (nothing is written next to node_modules), its log in ZOHO_SDK_DIR/sdk.log. findUser(false):
// the SDK would otherwise look up the current user after every grant, which needs the
// ZohoCRM.users.READ scope that HADES's tokens do not have (the simulator, like Zoho, answers
// 401 OAUTH_SCOPE_MISMATCH, which would blur the count of 401s this test makes).
//
// Prints one JSON object a line, {"check": NAME, ...}, with ids and values as the SDK parsed
// them (ids as decimal strings, lookups as their id):
//   grant          the refresh-token grant made by initialize(): api_domain, token present
//   records        every lead (converted=both) walked with page_token from page 1: pages, the
//                  page_token pages, and rows [id, Company, Lead_Source, Converted__s,
//                  No_of_Employees, Converted_Deal id]
//   converted      the first page of converted=true: ids
//   coql           VanillaSoft leads, converted ones named, by LIMIT offset, 2000: calls, rows
//                  [id, Company, Converted__s]
//   coql_empty     a query matching nothing: the status
//   modified_since records modified after ZOHO_MODIFIED_SINCE (If-Modified-Since, one page):
//                  status and ids; then the same at the latest Modified_Time seen: its status
//   refresh        how many 401 INVALID_TOKEN replies the script answered by refreshing
// Exits non-zero on any error, a 401 that a refresh does not cure included.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const npmDir = path.resolve(env('HADES_NPM_DIR'));
const sdk = await import(
  pathToFileURL(path.join(npmDir, 'node_modules/@zohocrm/nodejs-sdk-8.0/lib/index.js')));
const base = env('ZOHO_URL');
const workDir = env('ZOHO_SDK_DIR');
const kLeadFields = 'Company,Lead_Source,Converted__s,No_of_Employees,Converted_Deal';

const print = (check, fields) => console.log(JSON.stringify({ check, ...fields }));
const idText = (id) => (id === null || id === undefined ? null : id.toString());

// ---- set-up: a custom environment, as for any data centre the SDK has no constant for ---------

const token = new sdk.OAuthBuilder()
  .clientId(env('ZOHO_CLIENT_ID'))
  .clientSecret(env('ZOHO_CLIENT_SECRET'))
  .refreshToken(env('ZOHO_REFRESH_TOKEN'))
  .findUser(false)
  .build();
fs.mkdirSync(path.join(workDir, 'resources'), { recursive: true });
const store = new sdk.FileStore(path.join(workDir, 'tokens.csv'));
await (await new sdk.InitializeBuilder())
  .environment(new sdk.Environment(base, `${base}/oauth/v2/token`, base))
  .token(token)
  .store(store)
  .resourcePath(path.join(workDir, 'resources'))
  .logger(new sdk.LogBuilder().level(sdk.Levels.INFO).filePath(path.join(workDir, 'sdk.log'))
    .build())
  .initialize();

const granted = await store.findTokenById(token.getId());
print('grant', {
  api_domain: granted.getAPIDomain(),
  has_access_token: (granted.getAccessToken() ?? '').length > 0,
});

// ---- 401 then refresh ---------------------------------------------------------------------

// The SDK refreshes only when its stored expiry is near; on 401 INVALID_TOKEN it hands the error
// back. So this client does what the spec asks (refresh once, retry once, then fail): it marks the
// stored token expired, and the SDK's next call refreshes it with a multipart/form-data POST.
let refreshes = 0;

function invalidToken(response, error) {
  if (error) return error instanceof sdk.SDKException && error.details?.code === 'INVALID_TOKEN';
  const object = response.getObject();
  return response.getStatusCode() === 401 && object !== null &&
    typeof object.getCode === 'function' && object.getCode().getValue() === 'INVALID_TOKEN';
}

async function withRefresh(call) {
  for (let attempt = 0; ; ++attempt) {
    let response = null;
    let error = null;
    try {
      response = await call();
    } catch (e) {
      error = e;
    }
    if (!invalidToken(response, error)) {
      if (error) throw error;
      return response;
    }
    if (attempt > 0) throw new Error('401 INVALID_TOKEN again right after a refresh');
    ++refreshes;
    const stored = await store.findTokenById(token.getId());
    stored.setExpiresIn('1');  // 1 ms after the epoch: long expired
    await store.saveToken(stored);
  }
}

function data(response, what) {
  const object = response.getObject();
  if (response.getStatusCode() !== 200 || typeof object?.getData !== 'function') {
    const detail = typeof object?.getCode === 'function'
      ? `${object.getCode().getValue()} ${JSON.stringify(object.getDetails())}` : '';
    throw new Error(`${what}: HTTP ${response.getStatusCode()} ${detail}`);
  }
  return object;
}

async function getLeads(params, headers = null) {
  const map = new sdk.ParameterMap();
  for (const [param, value] of params) await map.add(param, value);
  let headerMap = null;
  if (headers) {
    headerMap = new sdk.HeaderMap();
    for (const [header, value] of headers) await headerMap.add(header, value);
  }
  return withRefresh(() => new sdk.Record.RecordOperations('Leads').getRecords(map, headerMap));
}

const P = sdk.Record.GetRecordsParam;

// ---- records, paged with page_token ----------------------------------------------------------

{
  const rows = [];
  let pages = 0;
  let tokenPages = 0;
  let pageToken = null;
  for (;;) {
    const params = [[P.FIELDS, kLeadFields], [P.PER_PAGE, 200], [P.CONVERTED, 'both']];
    if (pageToken !== null) {
      params.push([P.PAGE_TOKEN, pageToken]);
      ++tokenPages;
    }
    const page = data(await getLeads(params), `records page ${pages + 1}`);
    ++pages;
    for (const record of page.getData()) {
      const source = record.getKeyValue('Lead_Source');
      const deal = record.getKeyValue('Converted_Deal');
      rows.push([idText(record.getId()), record.getKeyValue('Company'),
        source === null ? null : source.getValue(), record.getKeyValue('Converted__s'),
        record.getKeyValue('No_of_Employees'), deal === null ? null : idText(deal.getId())]);
    }
    const info = page.getInfo();
    if (!info.getMoreRecords()) break;
    pageToken = info.getNextPageToken();
    if (!pageToken) throw new Error(`page ${pages} has more records but no next_page_token`);
  }
  print('records', { pages, token_pages: tokenPages, rows });
}

{
  const page = data(await getLeads([[P.FIELDS, 'Company'], [P.CONVERTED, 'true']]), 'converted');
  print('converted', { ids: page.getData().map((record) => idText(record.getId())) });
}

// ---- COQL ------------------------------------------------------------------------------------

async function coql(query) {
  const body = new sdk.Coql.BodyWrapper();
  body.setSelectQuery(query);
  return withRefresh(() => new sdk.Coql.CoqlOperations().getRecords(body));
}

{
  const rows = [];
  let calls = 0;
  for (let offset = 0; ; offset += 2000) {
    const page = data(await coql(
      "select Company, Converted__s from Leads where Lead_Source = 'VanillaSoft' and " +
      `(Converted__s = true or Converted__s = false) order by id limit ${offset}, 2000`), 'coql');
    ++calls;
    for (const record of page.getData()) {
      rows.push([idText(record.getId()), record.getKeyValue('Company'),
        record.getKeyValue('Converted__s')]);
    }
    if (!page.getInfo().getMoreRecords()) break;
  }
  print('coql', { calls, rows });
  const empty = await coql("select Company from Leads where Company = 'No Such Company, Inc.'");
  print('coql_empty', { status: empty.getStatusCode(), object: empty.getObject() === null });
}

// ---- If-Modified-Since -----------------------------------------------------------------------

{
  const since = new Date(env('ZOHO_MODIFIED_SINCE'));
  const H = sdk.Record.GetRecordsHeader;
  const params = [[P.FIELDS, 'Modified_Time'], [P.CONVERTED, 'both'], [P.SORT_BY, 'Modified_Time']];
  const changed = await getLeads(params, [[H.IF_MODIFIED_SINCE, since]]);
  const page = data(changed, 'modified_since');
  const records = page.getData();
  const latest = new Date(Math.max(...records.map((r) => r.getModifiedTime().getTime())));
  const unchanged = await getLeads(params, [[H.IF_MODIFIED_SINCE, latest]]);
  print('modified_since', {
    status: changed.getStatusCode(),
    more_records: page.getInfo().getMoreRecords(),
    ids: records.map((record) => idText(record.getId())),
    latest_status: unchanged.getStatusCode(),
  });
}

print('refresh', { invalid_token_replies: refreshes });
