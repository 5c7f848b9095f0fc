/*
 * Amazon connector: spARCreditMemoIns_CNX, a credit memo applied to one AR invoice (SQL Server).
 * Ours, not Sage's: public material names no Sage 500 AR memo import. Run after
 * sage500-extension.sql, by a DBA. Idempotent (CREATE OR ALTER: SQL Server 2016 SP1 or later).
 *
 * NOT RUN AGAINST A REAL SQL SERVER OR SAGE 500. What it rests on (docs/sage500.md):
 *   - the checks (customer, invoice of that customer and currency, amount still open to credit,
 *     per-item quantity against the invoice's lines less earlier memos, warehouse) are ours and are
 *     the same as the simulator's stand-in (libs/sage500-simulator/src/schema.ts), which the
 *     connector's tests run;
 *   - the writes follow the simulator's model of Sage's tables: tarInvoice's columns as public code
 *     lists them [3P], TranType 502 for a credit memo and 501 for an invoice [?], the lines in
 *     tarInvoiceDetl, the application in tarCustPmtAppl, the stock in timWhseBinInvt and an inventory
 *     transaction of type 811 (customer return [3P]) in timInvtTran: those tables' columns are [?].
 *     A real Sage 500 enters AR memos in a batch (tarBatch, pending tables) and posts them to GL; a
 *     Sage partner must review the section marked WRITE, and replace it with Sage's memo entry where
 *     it differs, before this runs on a company's data.
 *
 * The connector calls it with named arguments, inside its own transaction, after staging the memo's
 * lines in tarDocLineStg_CNX under @iSessionKey:
 *   @iCurrExchRate  home-currency units per unit of @iCurrID; NULL for a memo in the home currency
 *   @iReturnToStock 1: the stock items go back into the warehouse (a customer return); 0: they do not
 *   @oRetVal 1 created, 2 customer not found, 3 parameter error, 5 invoice not found for this
 *            customer, 6 more than the invoice still open to credit, 7 more of an item than the
 *            invoice holds less earlier memos, 8 item not found or not on the invoice, 9 no exchange
 *            rate for a foreign currency, 10 warehouse not found.
 * Misc items (ItemType 1-4 [?]: the order's charges) are checked by amount only: a shipping charge can
 * be credited in parts by several refunds.
 */
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

CREATE OR ALTER PROCEDURE dbo.spARCreditMemoIns_CNX
  @iCompanyID      VARCHAR(3),
  @iCustID         VARCHAR(12),
  @iApplyToInvcKey INT,
  @iTranDate       DATE,
  @iCurrID         VARCHAR(3),
  @iCurrExchRate   DECIMAL(28,10),
  @iTranAmt        DECIMAL(15,3),
  @iReturnToStock  SMALLINT,
  @iWhseID         VARCHAR(6),
  @iSessionKey     INT,
  @iTranCmnt       VARCHAR(50),
  @oMemoKey        INT OUTPUT,
  @oTranNo         VARCHAR(10) OUTPUT,
  @oRetVal         INT OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @CustKey INT, @InvcTranType INT = 501, @MemoTranType INT = 502, @Rate DECIMAL(28,10),
          @HomeCurrID VARCHAR(3), @InvcCurrID VARCHAR(3), @InvcAmt DECIMAL(15,3), @Credited DECIMAL(15,3);

  IF @iCompanyID IS NULL OR @iTranAmt IS NULL OR @iTranAmt <= 0 OR @iApplyToInvcKey IS NULL
     OR @iSessionKey IS NULL OR ISNULL(@iReturnToStock, -1) NOT IN (0, 1)
  BEGIN SELECT @oRetVal = 3; RETURN; END;

  SELECT @CustKey = CustKey FROM dbo.tarCustomer WHERE CompanyID = @iCompanyID AND CustID = @iCustID;
  IF @CustKey IS NULL BEGIN SELECT @oRetVal = 2; RETURN; END;

  -- the invoice, locked until the connector's transaction ends: two memos for it never pass the checks together
  SELECT @InvcCurrID = CurrID, @InvcAmt = TranAmt
  FROM dbo.tarInvoice WITH (UPDLOCK, HOLDLOCK)
  WHERE InvcKey = @iApplyToInvcKey AND CompanyID = @iCompanyID AND TranType = @InvcTranType AND CustKey = @CustKey;
  IF @InvcAmt IS NULL BEGIN SELECT @oRetVal = 5; RETURN; END;
  IF @InvcCurrID <> @iCurrID BEGIN SELECT @oRetVal = 3; RETURN; END;

  SELECT @HomeCurrID = CurrID FROM dbo.tsmCompany WHERE CompanyID = @iCompanyID;
  SELECT @Rate = CASE WHEN @iCurrID = @HomeCurrID THEN 1 WHEN @iCurrExchRate > 0 THEN @iCurrExchRate END;
  IF @Rate IS NULL BEGIN SELECT @oRetVal = 9; RETURN; END;

  SELECT @Credited = ISNULL(SUM(PmtAmt), 0) FROM dbo.tarCustPmtAppl
  WHERE ApplyToInvcKey = @iApplyToInvcKey AND ApplyFromMemoKey IS NOT NULL;
  IF @Credited + @iTranAmt > @InvcAmt BEGIN SELECT @oRetVal = 6; RETURN; END;

  IF NOT EXISTS (SELECT 1 FROM dbo.tarDocLineStg_CNX WHERE SessionKey = @iSessionKey)
  BEGIN SELECT @oRetVal = 3; RETURN; END;

  -- every staged item exists; every stock item is on the invoice, within what it holds less earlier memos
  IF EXISTS (SELECT 1 FROM dbo.tarDocLineStg_CNX s
             WHERE s.SessionKey = @iSessionKey
               AND NOT EXISTS (SELECT 1 FROM dbo.timItem i WHERE i.CompanyID = @iCompanyID AND i.ItemID = s.ItemID))
  BEGIN SELECT @oRetVal = 8; RETURN; END;

  IF EXISTS (SELECT 1 FROM dbo.tarDocLineStg_CNX s
             JOIN dbo.timItem i ON i.CompanyID = @iCompanyID AND i.ItemID = s.ItemID
             WHERE s.SessionKey = @iSessionKey AND i.ItemType >= 5
               AND NOT EXISTS (SELECT 1 FROM dbo.tarInvoiceDetl d WHERE d.InvcKey = @iApplyToInvcKey AND d.ItemKey = i.ItemKey))
  BEGIN SELECT @oRetVal = 8; RETURN; END;

  IF EXISTS (
    SELECT 1
    FROM (SELECT i.ItemKey, SUM(s.Qty) AS Qty
          FROM dbo.tarDocLineStg_CNX s
          JOIN dbo.timItem i ON i.CompanyID = @iCompanyID AND i.ItemID = s.ItemID
          WHERE s.SessionKey = @iSessionKey AND i.ItemType >= 5
          GROUP BY i.ItemKey) m
    WHERE m.Qty
          + ISNULL((SELECT SUM(d.Qty) FROM dbo.tarInvoiceDetl d
                    JOIN dbo.tarCustPmtAppl a ON a.ApplyFromMemoKey = d.InvcKey
                    WHERE a.ApplyToInvcKey = @iApplyToInvcKey AND d.ItemKey = m.ItemKey), 0)
          > (SELECT SUM(d.Qty) FROM dbo.tarInvoiceDetl d WHERE d.InvcKey = @iApplyToInvcKey AND d.ItemKey = m.ItemKey))
  BEGIN SELECT @oRetVal = 7; RETURN; END;

  IF @iReturnToStock = 1 AND EXISTS (
    SELECT 1 FROM dbo.tarDocLineStg_CNX s
    WHERE s.SessionKey = @iSessionKey
      AND NOT EXISTS (SELECT 1 FROM dbo.timWarehouse w
                      WHERE w.CompanyID = @iCompanyID AND w.WhseID = ISNULL(s.WhseID, @iWhseID)))
  BEGIN SELECT @oRetVal = 10; RETURN; END;

  -- WRITE: the simulator's model of Sage's tables (see the header) --------------------------------
  INSERT INTO dbo.tarInvoice (CompanyID, TranNo, TranType, CustKey, TranDate, CurrID, CurrExchRate,
                              TranAmt, TranAmtHC, Balance, BalanceHC, TranCmnt)
  VALUES (@iCompanyID, '', @MemoTranType, @CustKey, @iTranDate, @iCurrID, @Rate,
          @iTranAmt, ROUND(@iTranAmt * @Rate, 2), 0, 0, @iTranCmnt);
  SELECT @oMemoKey = SCOPE_IDENTITY();
  SELECT @oTranNo = RIGHT(REPLICATE('0', 10) + CONVERT(VARCHAR(10), @oMemoKey), 10);
  UPDATE dbo.tarInvoice SET TranNo = @oTranNo, TranID = @oTranNo + '-CM' WHERE InvcKey = @oMemoKey;

  INSERT INTO dbo.tarInvoiceDetl (InvcKey, SeqNo, ItemKey, Description, Qty, UnitPrice, ExtAmt, STaxAmt, WhseKey)
  SELECT @oMemoKey, s.SeqNo, i.ItemKey, s.Description, s.Qty, s.UnitPrice, s.ExtAmt, s.STaxAmt, w.WhseKey
  FROM dbo.tarDocLineStg_CNX s
  JOIN dbo.timItem i ON i.CompanyID = @iCompanyID AND i.ItemID = s.ItemID
  LEFT JOIN dbo.timWarehouse w ON w.CompanyID = @iCompanyID AND w.WhseID = ISNULL(s.WhseID, @iWhseID)
  WHERE s.SessionKey = @iSessionKey;

  INSERT INTO dbo.tarCustPmtAppl (ApplyToInvcKey, ApplyFromMemoKey, ApplyFromTranID, PmtAmt, PmtAmtHC)
  VALUES (@iApplyToInvcKey, @oMemoKey, @oTranNo + '-CM', @iTranAmt, ROUND(@iTranAmt * @Rate, 2));
  UPDATE dbo.tarInvoice
  SET Balance = Balance - @iTranAmt, BalanceHC = BalanceHC - ROUND(@iTranAmt * @Rate, 2)
  WHERE InvcKey = @iApplyToInvcKey;

  IF @iReturnToStock = 1
  BEGIN
    -- the goods back in the warehouse's first bin, and a customer-return inventory transaction (811)
    MERGE dbo.timWhseBinInvt AS b
    USING (SELECT d.ItemKey, (SELECT MIN(WhseBinKey) FROM dbo.timWhseBin WHERE WhseKey = d.WhseKey) AS WhseBinKey,
                  SUM(d.Qty) AS Qty
           FROM dbo.tarInvoiceDetl d JOIN dbo.timItem i ON i.ItemKey = d.ItemKey
           WHERE d.InvcKey = @oMemoKey AND i.ItemType >= 5
           GROUP BY d.ItemKey, d.WhseKey) AS r
    ON b.WhseBinKey = r.WhseBinKey AND b.ItemKey = r.ItemKey
    WHEN MATCHED THEN UPDATE SET QtyOnHand = b.QtyOnHand + r.Qty
    WHEN NOT MATCHED THEN INSERT (WhseBinKey, ItemKey, QtyOnHand) VALUES (r.WhseBinKey, r.ItemKey, r.Qty);
    INSERT INTO dbo.timInvtTran (CompanyID, TranType, ItemKey, WhseKey, TranQty, TranDate, SourceInvcKey)
    SELECT @iCompanyID, 811, d.ItemKey, d.WhseKey, d.Qty, @iTranDate, @oMemoKey
    FROM dbo.tarInvoiceDetl d JOIN dbo.timItem i ON i.ItemKey = d.ItemKey
    WHERE d.InvcKey = @oMemoKey AND i.ItemType >= 5;
  END;
  -- END WRITE -------------------------------------------------------------------------------------

  DELETE FROM dbo.tarDocLineStg_CNX WHERE SessionKey = @iSessionKey;
  SELECT @oRetVal = 1;
END;
GO
