/*
 * Amazon connector: extension tables for a Sage 500 company database (SQL Server).
 * Ours, not Sage's. Run once per company database by a DBA (db_owner), before the first connection.
 * Idempotent: run again, it changes nothing (and adds the columns a newer connector needs).
 * Not run against a real SQL Server yet (docs/sage500.md).
 *
 * tsoSalesOrderExt_CNX: the Amazon order id of each sales order the connector wrote, keyed by SOKey
 *   (Sage's convention for custom tables: the application table's surrogate key, a vendor suffix).
 *   The Amazon order id (19 characters) does not fit tsoSalesOrder.CustPONo or UserFld1..4 (15).
 *   The connector reads it before every insert and writes it in the same transaction as the order;
 *   the unique key stops two writers creating the same order twice.
 * tciDocumentExt_CNX: the same for invoices, credit memos, journals (GL batch key) and cash
 *   receipts, by kind, with the document's currency and the exchange rate it was written at.
 * tarDocLineStg_CNX: the lines of an invoice or credit memo, staged under a migration session key
 *   (spGetNextSurrogateKey 'tsmMigrateSession') in the connector's transaction; the _CNX procedure
 *   takes and deletes them.
 *
 * The connector's SQL login needs: SELECT, INSERT on the two Ext tables; INSERT, DELETE on
 * tarDocLineStg_CNX, StgSalesOrder, StgSOLine, StgCustomer, tdmMigrationLogWrk; EXECUTE on
 * spGetNextSurrogateKey, spSOapiSalesOrdIns, spARapiCustomerIns, spglAPIPostBatchlessGLPosting and
 * the three _CNX procedures below; INSERT on tglPosting; SELECT on the tables it reads (tsmCompany,
 * tsoSalesOrder, tsoSOLine, timItem, timInventory, timWhseBinInvt, timWhseBin, timWarehouse,
 * timItemUnitPrice, tglAccount, tsoShipment, tsoShipLine, tarCustomer, tarCustClass, tarCustAddr,
 * tciPaymentTerms, tciSTaxSchedule, tmcCurrExchSchd, tmcCurrExchSchdDtl).
 *
 * spARCreditMemoIns_CNX is created by spARCreditMemoIns_CNX.sql beside this script (read its header
 * first). spARInvoiceIns_CNX and spARCashRcptIns_CNX are NOT created here: public material names no
 * Sage 500 AR invoice or cash receipt import procedure, so their bodies must come from the customer's
 * Sage partner (wrapping the DIM AR imports). The connector calls them with these signatures:
 *   spARInvoiceIns_CNX  @iCompanyID VARCHAR(3), @iCustID VARCHAR(12), @iTranDate DATE, @iCurrID VARCHAR(3),
 *                       @iTranAmt DECIMAL(15,3), @iTranCmnt VARCHAR(50),
 *                       @oInvcKey INT OUTPUT, @oTranNo VARCHAR(10) OUTPUT, @oRetVal INT OUTPUT,
 *                       @iCurrExchRate DECIMAL(28,10) = NULL, @iSessionKey INT = NULL
 *                       (the invoice's lines are in tarDocLineStg_CNX under @iSessionKey: keep them
 *                       as the invoice's lines, credit memos are checked against them)
 *   spARCashRcptIns_CNX @iCompanyID VARCHAR(3), @iCustID VARCHAR(12), @iTranDate DATE, @iCurrID VARCHAR(3),
 *                       @iTranAmt DECIMAL(15,3), @iCashAcctNo VARCHAR(100), @iTranCmnt VARCHAR(50),
 *                       @oCustPmtKey INT OUTPUT, @oTranNo VARCHAR(10) OUTPUT, @oRetVal INT OUTPUT,
 *                       @iCurrExchRate DECIMAL(28,10) = NULL
 *   @iCurrExchRate: home-currency units per unit of @iCurrID; NULL for a document in the home currency.
 *   @oRetVal: 1 created, 2 customer not found, 3 parameter error, 4 cash account not found,
 *             8 item not found, 9 no exchange rate for a foreign currency.
 */
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;

IF OBJECT_ID(N'dbo.tsoSalesOrderExt_CNX', N'U') IS NULL
BEGIN
  CREATE TABLE dbo.tsoSalesOrderExt_CNX (
    SOKey         INT         NOT NULL,
    CompanyID     VARCHAR(3)  NOT NULL,
    AmazonOrderId VARCHAR(50) NOT NULL,
    CreateDate    DATETIME    NOT NULL CONSTRAINT DF_tsoSalesOrderExt_CNX_CreateDate DEFAULT (GETDATE()),
    CONSTRAINT PK_tsoSalesOrderExt_CNX PRIMARY KEY CLUSTERED (SOKey),
    CONSTRAINT FK_tsoSalesOrderExt_CNX_tsoSalesOrder FOREIGN KEY (SOKey) REFERENCES dbo.tsoSalesOrder (SOKey)
  );
  CREATE UNIQUE NONCLUSTERED INDEX UX_tsoSalesOrderExt_CNX_AmazonOrderId
    ON dbo.tsoSalesOrderExt_CNX (CompanyID, AmazonOrderId);
END;

IF OBJECT_ID(N'dbo.tciDocumentExt_CNX', N'U') IS NULL
BEGIN
  CREATE TABLE dbo.tciDocumentExt_CNX (
    CompanyID    VARCHAR(3)     NOT NULL,
    DocKind      VARCHAR(12)    NOT NULL, -- INVOICE, CREDIT_NOTE, JOURNAL, RECEIPT
    NaturalKey   VARCHAR(100)   NOT NULL, -- Amazon order id, <amazonOrderId>/<refundId>, or <settlementId>/<marketplaceId>/<currency>
    TranKey      INT            NOT NULL, -- InvcKey (invoice, credit memo), GL BatchKey, CustPmtKey
    TranNo       VARCHAR(13)    NOT NULL,
    CurrID       VARCHAR(3)     NULL,     -- the document's currency
    CurrExchRate DECIMAL(28,10) NULL,     -- home units per unit of CurrID; NULL in the home currency
    CreateDate   DATETIME       NOT NULL CONSTRAINT DF_tciDocumentExt_CNX_CreateDate DEFAULT (GETDATE()),
    CONSTRAINT PK_tciDocumentExt_CNX PRIMARY KEY CLUSTERED (CompanyID, DocKind, NaturalKey)
  );
END;
-- a table made by an earlier version of this script gets the currency columns
IF COL_LENGTH(N'dbo.tciDocumentExt_CNX', N'CurrID') IS NULL
  ALTER TABLE dbo.tciDocumentExt_CNX ADD CurrID VARCHAR(3) NULL, CurrExchRate DECIMAL(28,10) NULL;

IF OBJECT_ID(N'dbo.tarDocLineStg_CNX', N'U') IS NULL
BEGIN
  CREATE TABLE dbo.tarDocLineStg_CNX (
    SessionKey  INT           NOT NULL,
    SeqNo       INT           NOT NULL,
    ItemID      VARCHAR(30)   NOT NULL,
    Description VARCHAR(40)   NULL,
    Qty         DECIMAL(16,8) NOT NULL,
    UnitPrice   DECIMAL(15,5) NOT NULL,
    ExtAmt      DECIMAL(15,3) NOT NULL,
    STaxAmt     DECIMAL(15,3) NOT NULL CONSTRAINT DF_tarDocLineStg_CNX_STaxAmt DEFAULT (0),
    WhseID      VARCHAR(6)    NULL,
    CONSTRAINT PK_tarDocLineStg_CNX PRIMARY KEY CLUSTERED (SessionKey, SeqNo)
  );
END;
