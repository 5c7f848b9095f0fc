/**
 * The Sage 500 schema subset and stand-ins for its procedures, in PostgreSQL. Table, column and
 * procedure names are Sage 500's (docs/sage500.md), quoted so they keep their case; `sim*` objects
 * are the simulator's own (faults, clock, key counters). Objects ending in `_CNX` are the
 * connector's: its extension and line-staging tables (shipped as a T-SQL install script with the
 * adapter) and the three AR procedures (invoice, credit memo, cash receipt) that stand where public
 * material names none.
 *
 * What the stand-ins honour: the API procedure signature (spSOapiSalesOrdIns, spARapiCustomerIns),
 * `Action` and `ProcessStatus` on the staging rows, `@oContinue` looping (`simSettings.BatchSize`
 * headers per run), the `@oRetVal` codes and `tdmMigrationLogWrk` rows (duplicate `TranNo` or
 * `CustID` → failure row with `Duplicate = 1`); the GL post statuses −5/−6/−7 on `#tciTransToPost`,
 * −7 also for a batch unbalanced in any currency. SQL Server SMALLINT/BIT parameters are `int` here, so
 * untyped bindings resolve. Faults are raised with the PostgreSQL SQLSTATE of the same
 * condition (40P01 for SQL Server's 1205 deadlock, 55P03 for 1222 lock timeout) and SQL Server's text.
 */
export const SAGE500_SCHEMA = String.raw`
create table "simSettings" (
  "Id" smallint primary key default 1 check ("Id" = 1),
  "DeadlockRate" numeric not null default 0,
  "LockTimeoutRate" numeric not null default 0,
  "LogicalLockRate" numeric not null default 0,
  "BatchSize" int not null default 1,
  "ClosedBefore" date,
  "FixedTime" timestamp
);
insert into "simSettings" default values;

create table "simSurrogateKey" ("TableName" varchar(30) primary key, "NextKey" int not null);

-- the server clock: SQL Server GETDATE() in the company's zone; settable for the change tests
create function "simNow"() returns timestamp language sql stable as $$
  select coalesce((select "FixedTime" from "simSettings"), (now() at time zone 'utc')::timestamp(3))
$$;

create function "simFault"() returns void language plpgsql as $$
declare s "simSettings";
begin
  select * into s from "simSettings";
  if random() < s."DeadlockRate" then
    raise exception using errcode = '40P01', message =
      'Transaction (Process ID 57) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.';
  end if;
  if random() < s."LockTimeoutRate" then
    raise exception using errcode = '55P03', message = 'Lock request time out period exceeded.';
  end if;
end $$;

create procedure "spGetNextSurrogateKey"(in "iTableName" varchar, inout "oNewKey" int)
language plpgsql as $$
begin
  insert into "simSurrogateKey" as k ("TableName", "NextKey") values ("iTableName", 2)
  on conflict ("TableName") do update set "NextKey" = k."NextKey" + 1
  returning k."NextKey" - 1 into "oNewKey";
end $$;

-- the company and its home currency (spSOapiSalesOrdIns reads tsmCompany.CurrID [3P])
create table "tsmCompany" ("CompanyID" varchar(3) primary key, "CurrID" varchar(3) not null default 'USD');

-- exchange rates [3P: tmcCurrExchSchdDtl's columns as public code selects them]: CurrExchRate is
-- TargetCurrID units per SourceCurrID unit [?]; a row applies from EffectiveDate to ExpirationDate
-- (open-ended when null) [?]. SQL Server keeps the rate as float: so does this table.
create table "tmcCurrExchSchd" (
  "CurrExchSchdKey" serial primary key, "CompanyID" varchar(3) not null, "CurrExchSchdID" varchar(15) not null,
  unique ("CompanyID", "CurrExchSchdID"));
create table "tmcCurrExchSchdDtl" (
  "CurrExchSchdKey" int not null references "tmcCurrExchSchd", "EffectiveDate" timestamp not null,
  "SourceCurrID" varchar(3) not null, "TargetCurrID" varchar(3) not null,
  "CurrExchRate" double precision not null, "ExpirationDate" timestamp,
  primary key ("CurrExchSchdKey", "SourceCurrID", "TargetCurrID", "EffectiveDate"));

-- customers [3P: tarCustomer, tarCustClass, tarCustAddr, tciAddress, tciPaymentTerms, tciSTaxSchedule and
-- the key columns, as spARapiCustomerIns and public code use them]. tarCustomer.Status 1 active,
-- 2 inactive, 3 temporary, 4 deleted [3P]. The receivable account is the customer class's:
-- "ARAcctKey" [?] (StgCustomer has no receivable column, so a customer gets its class's).
create table "tciPaymentTerms" (
  "PmtTermsKey" serial primary key, "CompanyID" varchar(3) not null, "PmtTermsID" varchar(15) not null,
  unique ("CompanyID", "PmtTermsID"));
create table "tciSTaxSchedule" (
  "STaxSchdKey" serial primary key, "CompanyID" varchar(3) not null, "STaxSchdID" varchar(15) not null,
  unique ("CompanyID", "STaxSchdID"));
create table "tarCustClass" (
  "CustClassKey" serial primary key, "CompanyID" varchar(3) not null, "CustClassID" varchar(15) not null,
  "CustClassName" varchar(40), "ARAcctKey" int, "PmtTermsKey" int references "tciPaymentTerms",
  "STaxSchdKey" int references "tciSTaxSchedule", "CurrID" varchar(3),
  unique ("CompanyID", "CustClassID"));
create table "tciAddress" (
  "AddrKey" serial primary key, "AddrName" varchar(40), "AddrLine1" varchar(40), "AddrLine2" varchar(40),
  "AddrLine3" varchar(40), "AddrLine4" varchar(40), "AddrLine5" varchar(40), "City" varchar(20),
  "StateID" varchar(3), "PostalCode" varchar(10), "CountryID" varchar(3));
create table "tarCustomer" (
  "CustKey" serial primary key, "CompanyID" varchar(3) not null, "CustID" varchar(12) not null,
  "CustName" varchar(40), "CustClassKey" int not null references "tarCustClass",
  "Status" smallint not null default 1, "PrimaryAddrKey" int references "tciAddress",
  "CreateDate" timestamp not null default "simNow"(), "UpdateDate" timestamp not null default "simNow"(),
  unique ("CompanyID", "CustID"));
create table "tarCustAddr" (
  "AddrKey" int primary key references "tciAddress", "CustKey" int not null references "tarCustomer",
  "CustAddrID" varchar(15) not null, "CurrID" varchar(3), "PmtTermsKey" int references "tciPaymentTerms",
  "STaxSchdKey" int references "tciSTaxSchedule");

-- the customer import's staging table [3P: the columns spARapiCustomerIns reads from StgCustomer]
create table "StgCustomer" (
  "RowKey" serial primary key, "SessionKey" int not null,
  "ProcessStatus" smallint not null default 0, "Action" smallint,
  "CustID" varchar(12), "CustName" varchar(40), "CustClassID" varchar(15), "PmtTermsID" varchar(15),
  "STaxSchdID" varchar(15), "CurrID" varchar(3), "Status" varchar(25),
  "AddrName" varchar(40), "AddrLine1" varchar(40), "AddrLine2" varchar(40), "AddrLine3" varchar(40),
  "AddrLine4" varchar(40), "AddrLine5" varchar(40), "City" varchar(20), "StateID" varchar(3),
  "PostalCode" varchar(10), "CountryID" varchar(3));
create table "timWarehouse" (
  "WhseKey" serial primary key, "CompanyID" varchar(3) not null, "WhseID" varchar(6) not null,
  unique ("CompanyID", "WhseID"));
create table "timWhseBin" (
  "WhseBinKey" serial primary key, "WhseKey" int not null references "timWarehouse", "WhseBinID" varchar(15) not null);
create table "timItem" (
  "ItemKey" serial primary key, "CompanyID" varchar(3) not null, "ItemID" varchar(30) not null,
  "ItemType" smallint not null default 5, "Status" smallint not null default 1, "ShortDesc" varchar(40),
  "UpdateDate" timestamp not null default "simNow"(), unique ("CompanyID", "ItemID"));
create table "timInventory" (
  "WhseKey" int not null references "timWarehouse", "ItemKey" int not null references "timItem",
  "QtyOnSO" numeric(16,8) not null default 0, "QtyOnPO" numeric(16,8) not null default 0,
  "QtyOnWO" numeric(16,8) not null default 0, "QtyReqForWO" numeric(16,8) not null default 0,
  "MinStockQty" numeric(16,8) not null default 0, primary key ("WhseKey", "ItemKey"));
create table "timWhseBinInvt" (
  "WhseBinKey" int not null references "timWhseBin", "ItemKey" int not null references "timItem",
  "QtyOnHand" numeric(16,8) not null default 0, "PendQtyIncrease" numeric(16,8) not null default 0,
  "PendQtyDecrease" numeric(16,8) not null default 0, primary key ("WhseBinKey", "ItemKey"));

-- [?] prices: public material names timItemUnitPrice and price groups, not their columns
create table "timItemUnitPrice" (
  "ItemKey" int not null references "timItem", "PriceListID" varchar(15) not null default 'LIST',
  "CurrID" varchar(3) not null default 'USD', "UnitPrice" numeric(15,5) not null,
  primary key ("ItemKey", "PriceListID", "CurrID"));

create table "StgSalesOrder" (
  "RowKey" serial primary key, "SessionKey" int not null,
  "ProcessStatus" smallint not null default 0, "Action" smallint not null default 0,
  "TranNo" varchar(10), "CustID" varchar(12), "CustPONo" varchar(15), "TranDate" date,
  "CurrID" varchar(3), "TranCmnt" varchar(50),
  "UserFld1" varchar(15), "UserFld2" varchar(15), "UserFld3" varchar(15), "UserFld4" varchar(15),
  "SOStatus" varchar(10), "Hold" smallint, "DfltWarehouseID" varchar(6), "DfltShipMethID" varchar(15),
  "ShipToName" varchar(40), "ShipToAddrLine1" varchar(40), "ShipToAddrLine2" varchar(40),
  "ShipToAddrLine3" varchar(40), "ShipToAddrLine4" varchar(40), "ShipToAddrLine5" varchar(40),
  "ShipToCity" varchar(20), "ShipToStateID" varchar(3), "ShipToPostalCode" varchar(10),
  "ShipToCountryID" varchar(3));
create table "StgSOLine" (
  "RowKey" serial primary key, "SessionKey" int not null,
  "ProcessStatus" smallint not null default 0, "Action" smallint not null default 0,
  "TranNo" varchar(10), "SOLineNo" int, "ItemID" varchar(30), "Description" varchar(40),
  "QtyOrd" numeric(16,8), "UnitPrice" numeric(15,5), "UnitMeasID" varchar(6), "WarehouseID" varchar(6),
  "ShipMethID" varchar(15), "UserFld1" varchar(15), "UserFld2" varchar(15));
create table "tdmMigrationLogWrk" (
  "SessionKey" int not null, "EntityID" varchar(50), "ColumnID" varchar(50), "ColumnValue" varchar(255),
  "Duplicate" smallint not null default 0, "Comment" varchar(255), "Status" smallint not null);

create table "tsoSalesOrder" (
  "SOKey" serial primary key, "CompanyID" varchar(3) not null, "TranNo" varchar(10) not null,
  "TranID" varchar(13) not null, "TranType" int not null default 801, "Status" smallint not null,
  "CustKey" int not null references "tarCustomer", "CustPONo" varchar(15), "TranCmnt" varchar(50),
  "UserFld1" varchar(15), "UserFld2" varchar(15), "UserFld3" varchar(15), "UserFld4" varchar(15),
  "CurrID" varchar(3), "TranDate" date, "UpdateCounter" int not null default 0,
  "CreateDate" timestamp not null, "UpdateDate" timestamp not null, "UpdateUserID" varchar(30),
  "TranAmt" numeric(15,3) not null default 0, "OpenAmt" numeric(15,3) not null default 0,
  "ShipToName" varchar(40), "ShipToAddrLine1" varchar(40), "ShipToAddrLine2" varchar(40),
  "ShipToAddrLine3" varchar(40), "ShipToAddrLine4" varchar(40), "ShipToAddrLine5" varchar(40),
  "ShipToCity" varchar(20), "ShipToStateID" varchar(3), "ShipToPostalCode" varchar(10),
  "ShipToCountryID" varchar(3),
  unique ("CompanyID", "TranNo"));
create table "tsoSOLine" (
  "SOLineKey" serial primary key, "SOKey" int not null references "tsoSalesOrder", "SOLineNo" int not null,
  "ItemKey" int not null references "timItem", "Description" varchar(40), "UnitPrice" numeric(15,5) not null,
  "UserFld1" varchar(15), "UserFld2" varchar(15));
create table "tsoSOLineDist" (
  "SOLineDistKey" serial primary key, "SOLineKey" int not null references "tsoSOLine",
  "QtyOrd" numeric(16,8) not null, "ExtAmt" numeric(15,3) not null, "WhseKey" int references "timWarehouse");

-- [?] shipments: the tables exist in Sage 500 (SO shipping), their columns here are the simulator's
create table "tsoShipment" (
  "ShipKey" serial primary key, "CompanyID" varchar(3) not null, "TranID" varchar(13) not null,
  "ShipDate" timestamp not null, "ShipMethID" varchar(15), "TrackingNo" varchar(40),
  "UpdateDate" timestamp not null);
create table "tsoShipLine" (
  "ShipLineKey" serial primary key, "ShipKey" int not null references "tsoShipment" on delete cascade,
  "SOLineKey" int not null references "tsoSOLine", "ItemKey" int not null references "timItem",
  "QtyShipped" numeric(16,8) not null);

create table "tglAccount" (
  "GLAcctKey" serial primary key, "CompanyID" varchar(3) not null, "GLAcctNo" varchar(100) not null,
  unique ("CompanyID", "GLAcctNo"));
create table "tglPosting" (
  "PostingKey" serial primary key, "GLAcctKey" int not null references "tglAccount", "BatchKey" int not null,
  "CurrID" varchar(3), "PostAmt" numeric(15,3) not null, "PostAmtHC" numeric(15,3) not null,
  "PostDate" date not null, "TranDate" date, "TranNo" varchar(10), "TranType" int, "SourceModuleNo" smallint,
  "JrnlKey" int, "JrnlNo" int, "PostCmnt" varchar(50), "ExtCmnt" varchar(255));
create table "tglTransaction" (like "tglPosting");

-- AR documents [3P: tarInvoice's columns as an Entity Framework model of a Sage 500 database lists
-- them]: invoices and credit memos alike, told apart by TranType (501 invoice, 502 credit memo [?]).
-- Lines in tarInvoiceDetl, columns [?]. A memo applied to an invoice: tarCustPmtAppl [?] (ApplyToInvcKey,
-- PmtAmt, ApplyFromTranID as public queries name them; ApplyFromMemoKey is the simulator's).
create table "tarInvoice" (
  "InvcKey" serial primary key, "CompanyID" varchar(3) not null, "TranNo" varchar(10) not null,
  "TranID" varchar(13), "TranType" int not null default 501,
  "CustKey" int not null references "tarCustomer", "TranDate" date not null, "CurrID" varchar(3),
  "CurrExchRate" double precision not null default 1,
  "TranAmt" numeric(15,3) not null, "TranAmtHC" numeric(15,3) not null default 0,
  "Balance" numeric(15,3) not null default 0, "BalanceHC" numeric(15,3) not null default 0,
  "TranCmnt" varchar(50));
create table "tarInvoiceDetl" (
  "InvoiceLineKey" serial primary key, "InvcKey" int not null references "tarInvoice", "SeqNo" int not null,
  "ItemKey" int not null references "timItem", "Description" varchar(40), "Qty" numeric(16,8) not null,
  "UnitPrice" numeric(15,5) not null, "ExtAmt" numeric(15,3) not null, "STaxAmt" numeric(15,3) not null default 0,
  "WhseKey" int references "timWarehouse");
create table "tarCustPmtAppl" (
  "CustPmtApplKey" serial primary key, "ApplyToInvcKey" int not null references "tarInvoice",
  "ApplyFromMemoKey" int references "tarInvoice", "ApplyFromTranID" varchar(13),
  "PmtAmt" numeric(15,3) not null, "PmtAmtHC" numeric(15,3) not null);
create table "tarCustPmt" (
  "CustPmtKey" serial primary key, "CompanyID" varchar(3) not null, "TranNo" varchar(10) not null,
  "CustKey" int not null references "tarCustomer", "CashAcctKey" int not null references "tglAccount",
  "TranDate" date not null, "CurrID" varchar(3), "CurrExchRate" double precision not null default 1,
  "TranAmt" numeric(15,3) not null, "TranAmtHC" numeric(15,3) not null default 0, "TranCmnt" varchar(50));

-- inventory transactions [?: the table's columns are the simulator's]; TranType 811 is a customer
-- return [3P: spglAPIPostBatchlessGLPosting's inventory transaction types]
create table "timInvtTran" (
  "InvtTranKey" serial primary key, "CompanyID" varchar(3) not null, "TranType" int not null,
  "ItemKey" int not null references "timItem", "WhseKey" int not null references "timWarehouse",
  "TranQty" numeric(16,8) not null, "TranDate" date not null, "SourceInvcKey" int references "tarInvoice");

-- the connector's extension tables (the same as libs/erp/src/sage500/install/sage500-extension.sql)
create table "tsoSalesOrderExt_CNX" (
  "SOKey" int primary key references "tsoSalesOrder", "CompanyID" varchar(3) not null,
  "AmazonOrderId" varchar(50) not null, "CreateDate" timestamp not null default "simNow"(),
  unique ("CompanyID", "AmazonOrderId"));
create table "tciDocumentExt_CNX" (
  "CompanyID" varchar(3) not null, "DocKind" varchar(12) not null, "NaturalKey" varchar(100) not null,
  "TranKey" int not null, "TranNo" varchar(13) not null, "CurrID" varchar(3), "CurrExchRate" numeric(28,10),
  "CreateDate" timestamp not null default "simNow"(),
  primary key ("CompanyID", "DocKind", "NaturalKey"));
create table "tarDocLineStg_CNX" (
  "SessionKey" int not null, "SeqNo" int not null, "ItemID" varchar(30) not null, "Description" varchar(40),
  "Qty" numeric(16,8) not null, "UnitPrice" numeric(15,5) not null, "ExtAmt" numeric(15,3) not null,
  "STaxAmt" numeric(15,3) not null default 0, "WhseID" varchar(6),
  primary key ("SessionKey", "SeqNo"));

-- spSOapiSalesOrdIns: the Data Import Manager sales-order import, over the session's staged rows
create procedure "spSOapiSalesOrdIns"(
  inout "oContinue" int, in "iCancel" int, in "iSessionKey" int, in "iCompanyID" varchar,
  in "iRptOption" int, in "iPrintWarnings" int, in "UseStageTable" int,
  inout "oRecsProcessed" int, inout "oFailedRecs" int, inout "oTotalRecs" int, inout "oRetVal" int)
language plpgsql as $$
declare
  h "StgSalesOrder";
  l "StgSOLine";
  cust int; so int; sol int; item int; whse int; amt numeric; nlines int; failed int := 0; done int := 0;
  why text; col text; val text; dup smallint;
begin
  "oRecsProcessed" := coalesce("oRecsProcessed", 0);
  "oFailedRecs" := coalesce("oFailedRecs", 0);
  if "iCompanyID" is null or length("iCompanyID") <> 3 or "iSessionKey" is null then
    "oContinue" := 0; "oRetVal" := 3; return;
  end if;
  if coalesce("iCancel", 0) = 1 then "oContinue" := 0; "oRetVal" := 1; return; end if;
  perform "simFault"();
  if coalesce("oTotalRecs", 0) = 0 then
    select count(*) into "oTotalRecs" from "StgSalesOrder" where "SessionKey" = "iSessionKey" and "ProcessStatus" = 0;
  end if;
  for h in select * from "StgSalesOrder" where "SessionKey" = "iSessionKey" and "ProcessStatus" = 0
           order by "RowKey" limit (select "BatchSize" from "simSettings") for update loop
    why := null; col := null; val := null; dup := 0;
    select "CustKey" into cust from "tarCustomer" where "CompanyID" = "iCompanyID" and "CustID" = h."CustID";
    select count(*) into nlines from "StgSOLine" where "SessionKey" = "iSessionKey" and "TranNo" = h."TranNo" and "ProcessStatus" = 0;
    if h."Action" not in (0, 1) then
      why := 'Action ' || h."Action" || ' is not supported by the simulator'; col := 'Action'; val := h."Action"::text;
    elsif h."TranNo" is null or h."TranNo" = '' then
      why := 'TranNo is required by the simulator'; col := 'TranNo';
    elsif exists (select 1 from "tsoSalesOrder" where "CompanyID" = "iCompanyID" and "TranNo" = h."TranNo") then
      why := 'A sales order with this TranNo already exists.'; col := 'TranNo'; val := h."TranNo"; dup := 1;
    elsif cust is null then
      why := 'Invalid customer.'; col := 'CustID'; val := h."CustID";
    elsif nlines = 0 then
      why := 'The sales order has no lines.'; col := 'TranNo'; val := h."TranNo";
    else
      select s."ItemID" into val from "StgSOLine" s
        where s."SessionKey" = "iSessionKey" and s."TranNo" = h."TranNo" and s."ProcessStatus" = 0
          and not exists (select 1 from "timItem" i where i."CompanyID" = "iCompanyID" and i."ItemID" = s."ItemID")
        limit 1;
      if found then why := 'Invalid item.'; col := 'ItemID'; end if;
    end if;
    if why is not null then
      failed := failed + 1;
      update "StgSalesOrder" set "ProcessStatus" = 2 where "RowKey" = h."RowKey";
      update "StgSOLine" set "ProcessStatus" = 2 where "SessionKey" = "iSessionKey" and "TranNo" = h."TranNo";
      insert into "tdmMigrationLogWrk" ("SessionKey", "EntityID", "ColumnID", "ColumnValue", "Duplicate", "Comment", "Status")
        values ("iSessionKey", h."TranNo", col, val, dup, why, 1);
      continue;
    end if;
    insert into "tsoSalesOrder" ("CompanyID", "TranNo", "TranID", "Status", "CustKey", "CustPONo", "TranCmnt",
        "UserFld1", "UserFld2", "UserFld3", "UserFld4", "CurrID", "TranDate", "CreateDate", "UpdateDate", "UpdateUserID",
        "ShipToName", "ShipToAddrLine1", "ShipToAddrLine2", "ShipToAddrLine3", "ShipToAddrLine4", "ShipToAddrLine5",
        "ShipToCity", "ShipToStateID", "ShipToPostalCode", "ShipToCountryID")
      values ("iCompanyID", h."TranNo", h."TranNo" || '-SO', case when h."SOStatus" = 'Closed' then 4 else 1 end,
        cust, h."CustPONo", h."TranCmnt", h."UserFld1", h."UserFld2", h."UserFld3", h."UserFld4", h."CurrID",
        coalesce(h."TranDate", "simNow"()::date), "simNow"(), "simNow"(), 'admin',
        h."ShipToName", h."ShipToAddrLine1", h."ShipToAddrLine2", h."ShipToAddrLine3", h."ShipToAddrLine4",
        h."ShipToAddrLine5", h."ShipToCity", h."ShipToStateID", h."ShipToPostalCode", h."ShipToCountryID")
      returning "SOKey" into so;
    amt := 0;
    for l in select * from "StgSOLine" where "SessionKey" = "iSessionKey" and "TranNo" = h."TranNo" and "ProcessStatus" = 0
             order by coalesce("SOLineNo", "RowKey"), "RowKey" loop
      select "ItemKey" into item from "timItem" where "CompanyID" = "iCompanyID" and "ItemID" = l."ItemID";
      select "WhseKey" into whse from "timWarehouse"
        where "CompanyID" = "iCompanyID" and "WhseID" = coalesce(l."WarehouseID", h."DfltWarehouseID");
      insert into "tsoSOLine" ("SOKey", "SOLineNo", "ItemKey", "Description", "UnitPrice", "UserFld1", "UserFld2")
        values (so, coalesce(l."SOLineNo", (select count(*) + 1 from "tsoSOLine" where "SOKey" = so)), item,
          l."Description", l."UnitPrice", l."UserFld1", l."UserFld2")
        returning "SOLineKey" into sol;
      insert into "tsoSOLineDist" ("SOLineKey", "QtyOrd", "ExtAmt", "WhseKey")
        values (sol, l."QtyOrd", round(l."QtyOrd" * l."UnitPrice", 3), whse);
      if whse is not null then
        update "timInventory" set "QtyOnSO" = "QtyOnSO" + l."QtyOrd" where "WhseKey" = whse and "ItemKey" = item;
      end if;
      amt := amt + round(l."QtyOrd" * l."UnitPrice", 3);
    end loop;
    update "tsoSalesOrder" set "TranAmt" = amt, "OpenAmt" = amt where "SOKey" = so;
    update "StgSalesOrder" set "ProcessStatus" = 1 where "RowKey" = h."RowKey";
    update "StgSOLine" set "ProcessStatus" = 1 where "SessionKey" = "iSessionKey" and "TranNo" = h."TranNo";
    insert into "tdmMigrationLogWrk" ("SessionKey", "EntityID", "ColumnID", "ColumnValue", "Duplicate", "Comment", "Status")
      values ("iSessionKey", h."TranNo", 'TranNo', h."TranNo", 0, 'Sales order inserted.', 3);
    done := done + 1;
  end loop;
  "oRecsProcessed" := "oRecsProcessed" + done + failed;
  "oFailedRecs" := "oFailedRecs" + failed;
  "oContinue" := case when exists (select 1 from "StgSalesOrder" where "SessionKey" = "iSessionKey" and "ProcessStatus" = 0)
                 then 1 else 0 end;
  "oRetVal" := case when "oFailedRecs" > 0 then 2 else 1 end;
end $$;

-- spglAPIPostBatchlessGLPosting: posts the tglPosting rows of the batches listed in #tciTransToPost
create procedure "spglAPIPostBatchlessGLPosting"(
  in "iBatchCmnt" varchar, inout "ioSessionID" int, inout "oRetVal" int,
  in "optReplcInvalidAcctWithSuspense" int default 1, in "optPostToGL" int default 1)
language plpgsql as $$
declare t record; s "simSettings"; posted int := 0; bal numeric;
begin
  "oRetVal" := 0;
  select * into s from "simSettings";
  perform "simFault"();
  if coalesce("ioSessionID", 0) = 0 then
    select coalesce(min("GLBatchKey"), 0) into "ioSessionID" from "#tciTransToPost";
  end if;
  for t in select * from "#tciTransToPost" where "PostStatus" in (0, 2) loop
    if random() < s."LogicalLockRate" then
      update "#tciTransToPost" set "PostStatus" = -6 where "TranKey" = t."TranKey" and "GLBatchKey" = t."GLBatchKey";
      continue;
    end if;
    if not exists (select 1 from "tglPosting" where "BatchKey" = t."GLBatchKey") then
      update "#tciTransToPost" set "PostStatus" = -3 where "TranKey" = t."TranKey" and "GLBatchKey" = t."GLBatchKey";
      continue;
    end if;
    if s."ClosedBefore" is not null and exists (select 1 from "tglPosting"
         where "BatchKey" = t."GLBatchKey" and "PostDate" < s."ClosedBefore") then
      update "#tciTransToPost" set "PostStatus" = -5 where "TranKey" = t."TranKey" and "GLBatchKey" = t."GLBatchKey";
      continue;
    end if;
    select sum("PostAmtHC") into bal from "tglPosting" where "BatchKey" = t."GLBatchKey";
    -- a batch balances in the home currency and in each currency it was entered in
    if bal <> 0 or exists (select 1 from "tglPosting" where "BatchKey" = t."GLBatchKey"
                           group by "CurrID" having sum("PostAmt") <> 0) then
      update "#tciTransToPost" set "PostStatus" = -7 where "TranKey" = t."TranKey" and "GLBatchKey" = t."GLBatchKey";
      continue;
    end if;
    if coalesce("optPostToGL", 1) = 1 then
      insert into "tglTransaction" select * from "tglPosting" where "BatchKey" = t."GLBatchKey";
    end if;
    update "#tciTransToPost" set "PostStatus" = 1 where "TranKey" = t."TranKey" and "GLBatchKey" = t."GLBatchKey";
    posted := posted + 1;
  end loop;
  "oRetVal" := case when posted > 0 then 1 else 2 end;
end $$;

-- spARapiCustomerIns: the Data Import Manager customer import over the session's StgCustomer rows
-- [3P: its header: the API signature with @iUseStageTable and @_oRetVal; Action null → insert, 0 auto
-- → update when the CustID exists, else insert; blank fields default from the customer class
-- (terms, sales tax schedule, currency); a duplicate is logged with Duplicate = 1]. The simulator
-- takes inserts only (Action 2, 3 are refused), and its failure texts are its own [?].
create procedure "spARapiCustomerIns"(
  inout "oContinue" int, in "iCancel" int, in "iSessionKey" int, in "iCompanyID" varchar,
  in "iRptOption" int, in "iPrintWarnings" int, in "iUseStageTable" int,
  inout "oRecsProcessed" int, inout "oFailedRecs" int, inout "oTotalRecs" int, inout "_oRetVal" int)
language plpgsql as $$
declare
  r "StgCustomer"; act int; cls "tarCustClass"; terms int; stax int; addr int; cust int;
  failed int := 0; done int := 0; why text; col text; val text; dup smallint;
begin
  "oRecsProcessed" := coalesce("oRecsProcessed", 0);
  "oFailedRecs" := coalesce("oFailedRecs", 0);
  if "iCompanyID" is null or length("iCompanyID") <> 3 or "iSessionKey" is null then
    "oContinue" := 0; "_oRetVal" := 3; return;
  end if;
  if coalesce("iCancel", 0) = 1 then "oContinue" := 0; "_oRetVal" := 1; return; end if;
  perform "simFault"();
  if coalesce("oTotalRecs", 0) = 0 then
    select count(*) into "oTotalRecs" from "StgCustomer" where "SessionKey" = "iSessionKey" and "ProcessStatus" = 0;
  end if;
  for r in select * from "StgCustomer" where "SessionKey" = "iSessionKey" and "ProcessStatus" = 0
           order by "RowKey" limit (select "BatchSize" from "simSettings") for update loop
    why := null; col := null; val := null; dup := 0; terms := null; stax := null;
    act := coalesce(r."Action", 1);
    if act = 0 then
      act := case when exists (select 1 from "tarCustomer" where "CompanyID" = "iCompanyID" and "CustID" = r."CustID")
             then 2 else 1 end;
    end if;
    select * into cls from "tarCustClass" where "CompanyID" = "iCompanyID" and "CustClassID" = r."CustClassID";
    if act <> 1 then
      why := 'Action ' || act || ' is not supported by the simulator'; col := 'Action'; val := act::text;
    elsif coalesce(trim(r."CustID"), '') = '' then
      why := 'CustID cannot be blank.'; col := 'CustID';
    elsif exists (select 1 from "tarCustomer" where "CompanyID" = "iCompanyID" and "CustID" = r."CustID") then
      why := 'Duplicate: the customer already exists.'; col := 'CustID'; val := r."CustID"; dup := 1;
    elsif cls."CustClassKey" is null then
      why := 'Invalid customer class.'; col := 'CustClassID'; val := r."CustClassID";
    else
      terms := cls."PmtTermsKey"; stax := cls."STaxSchdKey";
      if coalesce(trim(r."PmtTermsID"), '') <> '' then
        select "PmtTermsKey" into terms from "tciPaymentTerms" where "CompanyID" = "iCompanyID" and "PmtTermsID" = r."PmtTermsID";
        if terms is null then why := 'Invalid payment terms.'; col := 'PmtTermsID'; val := r."PmtTermsID"; end if;
      end if;
      if why is null and coalesce(trim(r."STaxSchdID"), '') <> '' then
        select "STaxSchdKey" into stax from "tciSTaxSchedule" where "CompanyID" = "iCompanyID" and "STaxSchdID" = r."STaxSchdID";
        if stax is null then why := 'Invalid sales tax schedule.'; col := 'STaxSchdID'; val := r."STaxSchdID"; end if;
      end if;
    end if;
    if why is not null then
      failed := failed + 1;
      update "StgCustomer" set "ProcessStatus" = 2 where "RowKey" = r."RowKey";
      insert into "tdmMigrationLogWrk" ("SessionKey", "EntityID", "ColumnID", "ColumnValue", "Duplicate", "Comment", "Status")
        values ("iSessionKey", coalesce(r."CustID", ''), col, val, dup, why, 1);
      continue;
    end if;
    insert into "tciAddress" ("AddrName", "AddrLine1", "AddrLine2", "AddrLine3", "AddrLine4", "AddrLine5",
        "City", "StateID", "PostalCode", "CountryID")
      values (coalesce(r."AddrName", r."CustName"), r."AddrLine1", r."AddrLine2", r."AddrLine3", r."AddrLine4",
        r."AddrLine5", r."City", r."StateID", r."PostalCode", r."CountryID")
      returning "AddrKey" into addr;
    insert into "tarCustomer" ("CompanyID", "CustID", "CustName", "CustClassKey", "Status", "PrimaryAddrKey")
      values ("iCompanyID", r."CustID", r."CustName", cls."CustClassKey",
        case lower(coalesce(r."Status", 'active')) when 'inactive' then 2 when 'temporary' then 3 else 1 end, addr)
      returning "CustKey" into cust;
    insert into "tarCustAddr" ("AddrKey", "CustKey", "CustAddrID", "CurrID", "PmtTermsKey", "STaxSchdKey")
      values (addr, cust, r."CustID", coalesce(nullif(trim(r."CurrID"), ''), cls."CurrID"), terms, stax);
    update "StgCustomer" set "ProcessStatus" = 1 where "RowKey" = r."RowKey";
    insert into "tdmMigrationLogWrk" ("SessionKey", "EntityID", "ColumnID", "ColumnValue", "Duplicate", "Comment", "Status")
      values ("iSessionKey", r."CustID", 'CustID', r."CustID", 0, 'Customer inserted.', 3);
    done := done + 1;
  end loop;
  "oRecsProcessed" := "oRecsProcessed" + done + failed;
  "oFailedRecs" := "oFailedRecs" + failed;
  "oContinue" := case when exists (select 1 from "StgCustomer" where "SessionKey" = "iSessionKey" and "ProcessStatus" = 0)
                 then 1 else 0 end;
  "_oRetVal" := case when "oFailedRecs" > 0 then 2 else 1 end;
end $$;

-- The connector's AR procedures (ours, _CNX): public material names no AR invoice, credit memo or
-- cash receipt import procedure for Sage 500. On a real system they wrap whatever the customer's
-- Sage partner uses (libs/erp/src/sage500/install). Document lines come staged in our
-- tarDocLineStg_CNX under a session key; the procedure takes and deletes them.
-- @oRetVal: 1 created, 2 customer not found, 3 parameter error, 4 cash account not found,
-- 5 invoice not found for this customer, 6 more than the invoice's open amount, 7 more than a line's
-- invoiced quantity, 8 item not found (or not on the invoice), 9 no exchange rate for a foreign
-- currency, 10 warehouse not found.

-- the rate of a document: 1 in the home currency, else the one given (the adapter's, from the rate table)
create function "simDocRate"("iCompanyID" varchar, "iCurrID" varchar, "iCurrExchRate" numeric) returns numeric
language sql stable as $$
  select case when "iCurrID" = (select "CurrID" from "tsmCompany" where "CompanyID" = "iCompanyID") then 1
              when "iCurrExchRate" > 0 then "iCurrExchRate" end
$$;

create procedure "spARInvoiceIns_CNX"(
  in "iCompanyID" varchar, in "iCustID" varchar, in "iTranDate" date, in "iCurrID" varchar,
  in "iTranAmt" numeric, in "iTranCmnt" varchar,
  inout "oInvcKey" int, inout "oTranNo" varchar, inout "oRetVal" int,
  in "iCurrExchRate" numeric default null, in "iSessionKey" int default null)
language plpgsql as $$
declare cust int; rate numeric;
begin
  perform "simFault"();
  if "iCompanyID" is null or "iTranAmt" is null then "oRetVal" := 3; return; end if;
  select "CustKey" into cust from "tarCustomer" where "CompanyID" = "iCompanyID" and "CustID" = "iCustID";
  if cust is null then "oRetVal" := 2; return; end if;
  rate := "simDocRate"("iCompanyID", "iCurrID", "iCurrExchRate");
  if rate is null then "oRetVal" := 9; return; end if;
  if exists (select 1 from "tarDocLineStg_CNX" s where s."SessionKey" = "iSessionKey"
             and not exists (select 1 from "timItem" i where i."CompanyID" = "iCompanyID" and i."ItemID" = s."ItemID")) then
    "oRetVal" := 8; return;
  end if;
  insert into "tarInvoice" ("CompanyID", "TranNo", "TranType", "CustKey", "TranDate", "CurrID", "CurrExchRate",
      "TranAmt", "TranAmtHC", "Balance", "BalanceHC", "TranCmnt")
    values ("iCompanyID", '', 501, cust, "iTranDate", "iCurrID", rate, "iTranAmt", round("iTranAmt" * rate, 2),
      "iTranAmt", round("iTranAmt" * rate, 2), "iTranCmnt")
    returning "InvcKey" into "oInvcKey";
  "oTranNo" := lpad("oInvcKey"::text, 10, '0');
  update "tarInvoice" set "TranNo" = "oTranNo", "TranID" = "oTranNo" || '-IN' where "InvcKey" = "oInvcKey";
  insert into "tarInvoiceDetl" ("InvcKey", "SeqNo", "ItemKey", "Description", "Qty", "UnitPrice", "ExtAmt", "STaxAmt", "WhseKey")
    select "oInvcKey", s."SeqNo", i."ItemKey", s."Description", s."Qty", s."UnitPrice", s."ExtAmt", s."STaxAmt", w."WhseKey"
    from "tarDocLineStg_CNX" s
    join "timItem" i on i."CompanyID" = "iCompanyID" and i."ItemID" = s."ItemID"
    left join "timWarehouse" w on w."CompanyID" = "iCompanyID" and w."WhseID" = s."WhseID"
    where s."SessionKey" = "iSessionKey";
  delete from "tarDocLineStg_CNX" where "SessionKey" = "iSessionKey";
  "oRetVal" := 1;
end $$;

-- a credit memo (TranType 502 [?]) applied to one invoice of the same customer and currency: never
-- more than the invoice's amount still open to credit, never more of a stock item than the invoice
-- holds less what earlier memos credited (misc items, the order's charges, by amount only); the goods
-- back in the warehouse (an inventory transaction of type 811, customer return) only when
-- @iReturnToStock = 1
create procedure "spARCreditMemoIns_CNX"(
  in "iCompanyID" varchar, in "iCustID" varchar, in "iApplyToInvcKey" int, in "iTranDate" date,
  in "iCurrID" varchar, in "iCurrExchRate" numeric, in "iTranAmt" numeric, in "iReturnToStock" int,
  in "iWhseID" varchar, in "iSessionKey" int, in "iTranCmnt" varchar,
  inout "oMemoKey" int, inout "oTranNo" varchar, inout "oRetVal" int)
language plpgsql as $$
declare cust int; inv "tarInvoice"; rate numeric; credited numeric; l record; whse int; bin int;
begin
  perform "simFault"();
  if "iCompanyID" is null or "iTranAmt" is null or "iTranAmt" <= 0 or "iApplyToInvcKey" is null
     or "iSessionKey" is null or coalesce("iReturnToStock", -1) not in (0, 1) then
    "oRetVal" := 3; return;
  end if;
  select "CustKey" into cust from "tarCustomer" where "CompanyID" = "iCompanyID" and "CustID" = "iCustID";
  if cust is null then "oRetVal" := 2; return; end if;
  select * into inv from "tarInvoice"
    where "InvcKey" = "iApplyToInvcKey" and "CompanyID" = "iCompanyID" and "TranType" = 501 and "CustKey" = cust
    for update;
  if not found then "oRetVal" := 5; return; end if;
  if inv."CurrID" is distinct from "iCurrID" then "oRetVal" := 3; return; end if;
  rate := "simDocRate"("iCompanyID", "iCurrID", "iCurrExchRate");
  if rate is null then "oRetVal" := 9; return; end if;
  select coalesce(sum("PmtAmt"), 0) into credited from "tarCustPmtAppl"
    where "ApplyToInvcKey" = inv."InvcKey" and "ApplyFromMemoKey" is not null;
  if credited + "iTranAmt" > inv."TranAmt" then "oRetVal" := 6; return; end if;
  if not exists (select 1 from "tarDocLineStg_CNX" where "SessionKey" = "iSessionKey") then "oRetVal" := 3; return; end if;
  for l in select s."ItemID", sum(s."Qty") as qty, min(i."ItemKey") as item, min(i."ItemType") as itype
           from "tarDocLineStg_CNX" s
           left join "timItem" i on i."CompanyID" = "iCompanyID" and i."ItemID" = s."ItemID"
           where s."SessionKey" = "iSessionKey" group by s."ItemID" loop
    if l.item is null then "oRetVal" := 8; return; end if;
    continue when l.itype < 5;
    if not exists (select 1 from "tarInvoiceDetl" where "InvcKey" = inv."InvcKey" and "ItemKey" = l.item) then
      "oRetVal" := 8; return;
    end if;
    if l.qty + coalesce((select sum(d."Qty") from "tarInvoiceDetl" d
                           join "tarCustPmtAppl" a on a."ApplyFromMemoKey" = d."InvcKey"
                           where a."ApplyToInvcKey" = inv."InvcKey" and d."ItemKey" = l.item), 0)
       > (select sum("Qty") from "tarInvoiceDetl" where "InvcKey" = inv."InvcKey" and "ItemKey" = l.item) then
      "oRetVal" := 7; return;
    end if;
  end loop;
  if "iReturnToStock" = 1 and exists (
       select 1 from "tarDocLineStg_CNX" s
       where s."SessionKey" = "iSessionKey"
         and not exists (select 1 from "timWarehouse" w where w."CompanyID" = "iCompanyID"
                         and w."WhseID" = coalesce(s."WhseID", "iWhseID"))) then
    "oRetVal" := 10; return;
  end if;
  insert into "tarInvoice" ("CompanyID", "TranNo", "TranType", "CustKey", "TranDate", "CurrID", "CurrExchRate",
      "TranAmt", "TranAmtHC", "Balance", "BalanceHC", "TranCmnt")
    values ("iCompanyID", '', 502, cust, "iTranDate", "iCurrID", rate, "iTranAmt", round("iTranAmt" * rate, 2),
      0, 0, "iTranCmnt")
    returning "InvcKey" into "oMemoKey";
  "oTranNo" := lpad("oMemoKey"::text, 10, '0');
  update "tarInvoice" set "TranNo" = "oTranNo", "TranID" = "oTranNo" || '-CM' where "InvcKey" = "oMemoKey";
  insert into "tarInvoiceDetl" ("InvcKey", "SeqNo", "ItemKey", "Description", "Qty", "UnitPrice", "ExtAmt", "STaxAmt", "WhseKey")
    select "oMemoKey", s."SeqNo", i."ItemKey", s."Description", s."Qty", s."UnitPrice", s."ExtAmt", s."STaxAmt", w."WhseKey"
    from "tarDocLineStg_CNX" s
    join "timItem" i on i."CompanyID" = "iCompanyID" and i."ItemID" = s."ItemID"
    left join "timWarehouse" w on w."CompanyID" = "iCompanyID" and w."WhseID" = coalesce(s."WhseID", "iWhseID")
    where s."SessionKey" = "iSessionKey";
  insert into "tarCustPmtAppl" ("ApplyToInvcKey", "ApplyFromMemoKey", "ApplyFromTranID", "PmtAmt", "PmtAmtHC")
    values (inv."InvcKey", "oMemoKey", "oTranNo" || '-CM', "iTranAmt", round("iTranAmt" * rate, 2));
  update "tarInvoice" set "Balance" = "Balance" - "iTranAmt", "BalanceHC" = "BalanceHC" - round("iTranAmt" * rate, 2)
    where "InvcKey" = inv."InvcKey";
  if "iReturnToStock" = 1 then
    for l in select d."ItemKey", d."WhseKey", d."Qty" from "tarInvoiceDetl" d join "timItem" i on i."ItemKey" = d."ItemKey"
             where d."InvcKey" = "oMemoKey" and i."ItemType" >= 5 loop
      select min("WhseBinKey") into bin from "timWhseBin" where "WhseKey" = l."WhseKey";
      insert into "timWhseBinInvt" as b ("WhseBinKey", "ItemKey", "QtyOnHand") values (bin, l."ItemKey", l."Qty")
        on conflict ("WhseBinKey", "ItemKey") do update set "QtyOnHand" = b."QtyOnHand" + excluded."QtyOnHand";
      insert into "timInvtTran" ("CompanyID", "TranType", "ItemKey", "WhseKey", "TranQty", "TranDate", "SourceInvcKey")
        values ("iCompanyID", 811, l."ItemKey", l."WhseKey", l."Qty", "iTranDate", "oMemoKey");
    end loop;
  end if;
  delete from "tarDocLineStg_CNX" where "SessionKey" = "iSessionKey";
  "oRetVal" := 1;
end $$;

create procedure "spARCashRcptIns_CNX"(
  in "iCompanyID" varchar, in "iCustID" varchar, in "iTranDate" date, in "iCurrID" varchar,
  in "iTranAmt" numeric, in "iCashAcctNo" varchar, in "iTranCmnt" varchar,
  inout "oCustPmtKey" int, inout "oTranNo" varchar, inout "oRetVal" int,
  in "iCurrExchRate" numeric default null)
language plpgsql as $$
declare cust int; acct int; rate numeric;
begin
  perform "simFault"();
  if "iCompanyID" is null or "iTranAmt" is null then "oRetVal" := 3; return; end if;
  select "CustKey" into cust from "tarCustomer" where "CompanyID" = "iCompanyID" and "CustID" = "iCustID";
  if cust is null then "oRetVal" := 2; return; end if;
  select "GLAcctKey" into acct from "tglAccount" where "CompanyID" = "iCompanyID" and "GLAcctNo" = "iCashAcctNo";
  if acct is null then "oRetVal" := 4; return; end if;
  rate := "simDocRate"("iCompanyID", "iCurrID", "iCurrExchRate");
  if rate is null then "oRetVal" := 9; return; end if;
  insert into "tarCustPmt" ("CompanyID", "TranNo", "CustKey", "CashAcctKey", "TranDate", "CurrID", "CurrExchRate",
      "TranAmt", "TranAmtHC", "TranCmnt")
    values ("iCompanyID", '', cust, acct, "iTranDate", "iCurrID", rate, "iTranAmt", round("iTranAmt" * rate, 2), "iTranCmnt")
    returning "CustPmtKey" into "oCustPmtKey";
  "oTranNo" := lpad("oCustPmtKey"::text, 10, '0');
  update "tarCustPmt" set "TranNo" = "oTranNo" where "CustPmtKey" = "oCustPmtKey";
  "oRetVal" := 1;
end $$;
`;
